//! `cargo xtask demo`: two instances side by side, so a newcomer can initiate on one and accept
//! on the other.

use std::process::{Child, Command};

use crate::{Result, build, root};

struct Instance {
    name: &'static str,
    platform: &'static str,
    port: u16,
    db: &'static str,
}

const INSTANCES: [Instance; 2] = [
    Instance {
        name: "Company A",
        platform: "servicenow",
        port: 8081,
        db: "company-a.db",
    },
    Instance {
        name: "Company B",
        platform: "jira",
        port: 8082,
        db: "company-b.db",
    },
];

pub fn run() -> Result {
    let built = build::run()?;
    let data = root().join("target/demo");
    std::fs::create_dir_all(&data).map_err(|e| format!("cannot create {}: {e}", data.display()))?;
    for i in &INSTANCES {
        if std::net::TcpListener::bind(("127.0.0.1", i.port)).is_err() {
            return Err(format!(
                "port {} is taken: stop what listens there (an earlier demo?) and try again",
                i.port
            ));
        }
    }
    let mut children: Vec<Child> = Vec::new();
    for i in &INSTANCES {
        let url = format!("http://127.0.0.1:{}", i.port);
        let child = Command::new(&built.node)
            .args([
                "--listen",
                &format!("127.0.0.1:{}", i.port),
                "--public-url",
                &url,
            ])
            .args(["--platform", i.platform, "--instance-name", i.name])
            .arg("--db")
            .arg(data.join(i.db))
            .args(["--license", "trial", "--admin-token", "demo"])
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", built.node.display()));
        match child {
            Ok(c) => children.push(c),
            Err(e) => {
                stop(&mut children);
                return Err(e);
            }
        }
    }
    println!(
        "\nsynclink demo is running:\n\
         \n  Company A (ServiceNow)  http://127.0.0.1:8081\
         \n  Company B (Jira)        http://127.0.0.1:8082\
         \n\nSign in to each with the admin token: demo\
         \nOn Company A click Initiate connection and use http://127.0.0.1:8082 as the\
         \nDestination Instance URL. Data is kept in {}.\
         \nPress Ctrl+C to stop both.\n",
        data.display()
    );
    // Both nodes share our process group, so Ctrl+C stops them too; wait for either to end.
    loop {
        for c in children.iter_mut() {
            if let Ok(Some(status)) = c.try_wait() {
                stop(&mut children);
                return if status.success() {
                    Ok(())
                } else {
                    Err(format!("an instance stopped ({status})"))
                };
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
}

fn stop(children: &mut [Child]) {
    for c in children {
        let _ = c.kill();
        let _ = c.wait();
    }
}
