//! The seed flow, as an administrator clicks it: sign in on a ServiceNow instance, initiate a
//! Script-mode connection to a Jira instance, copy the invitation code, and see it Pending.

use synclink_core::Platform;
use synclink_core::invitation::Invitation;
use synclink_e2e::{Browser, Instance};

const XSS: &str = "<img src=x onerror=alert(1)>";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initiate_a_script_connection_end_to_end() {
    let company_a = Instance::start("Company A", Platform::ServiceNow).await;
    let company_b = Instance::start("Company B", Platform::Jira).await;
    let browser = Browser::start(&[&company_a.url]).await;
    browser.sign_in(&company_a).await;
    browser.wait_for_text("No connections yet").await;

    browser
        .wait_for_button("Initiate connection")
        .await
        .click()
        .await
        .unwrap();
    browser.wait_for_text("Initiate connection").await;

    // Step 1: a bad URL is refused in the browser, with the reason, and Next stays disabled.
    let url = browser.wait_for_field("Destination Instance URL").await;
    url.send_keys("javascript:alert(1)").await.unwrap();
    browser
        .wait_for_text("The URL must start with http:// or https://.")
        .await;
    let next = browser.wait_for_button("Next").await;
    assert_eq!(
        next.prop("disabled").await.unwrap().as_deref(),
        Some("true")
    );
    url.clear().await.unwrap();
    url.send_keys(&company_b.url).await.unwrap();
    browser.wait_for_button("Next").await.click().await.unwrap();

    // Step 2: the probe found a Jira running synclink; Visual is unavailable on ServiceNow.
    browser.wait_for_text("Configuration Mode").await;
    browser
        .wait_for_text("ServiceNow does not support Visual mode.")
        .await;
    let script = browser.wait_for_field("Script").await;
    assert_eq!(
        script.prop("checked").await.unwrap().as_deref(),
        Some("true")
    );
    let visual = browser.wait_for_field("Visual").await;
    assert_eq!(
        visual.prop("disabled").await.unwrap().as_deref(),
        Some("true")
    );
    browser.wait_for_button("Next").await.click().await.unwrap();

    // Step 3: names suggested from both instances; the connection name follows them.
    browser.wait_for_text("Connection information").await;
    let local = browser.wait_for_field("Local instance short name").await;
    assert_eq!(
        local.prop("value").await.unwrap().as_deref(),
        Some("company_a")
    );
    let remote = browser.wait_for_field("Remote instance short name").await;
    assert_eq!(
        remote.prop("value").await.unwrap().as_deref(),
        Some("company_b")
    );
    let name = browser.wait_for_field("Connection name").await;
    assert_eq!(
        name.prop("value").await.unwrap().as_deref(),
        Some("company_a_to_company_b")
    );
    remote.send_keys("_eu").await.unwrap();
    assert_eq!(
        name.prop("value").await.unwrap().as_deref(),
        Some("company_a_to_company_b_eu")
    );
    // Once the admin types a name, it is theirs: here one that must stay text.
    name.clear().await.unwrap();
    name.send_keys(XSS).await.unwrap();
    let description = browser.wait_for_field("Description").await;
    description.send_keys(XSS).await.unwrap();

    // A double click on the last Next creates one connection.
    let next = browser.wait_for_button("Next").await;
    next.click().await.unwrap();
    let _ = next.click().await;

    browser
        .wait_for_text("Use the following invitation code:")
        .await;
    browser
        .wait_for_text("On the “company_b_eu” side, you (or their application administrator) need to Accept the invitation.")
        .await;
    let code_field = browser.wait_for_field("Invitation code").await;
    let code = code_field
        .prop("value")
        .await
        .unwrap()
        .expect("the code is shown");
    let invitation = Invitation::decode(&code).expect("the code shown decodes");
    assert_eq!(invitation.initiator_url, company_a.url);
    assert_eq!(invitation.initiator_platform, Platform::ServiceNow);
    assert_eq!(invitation.initiator_short_name, "company_a");
    assert_eq!(invitation.remote_short_name, "company_b_eu");
    assert_eq!(invitation.connection_name, XSS);

    browser
        .wait_for_button("Copy invitation code")
        .await
        .click()
        .await
        .unwrap();
    browser.wait_for_text("Copied").await;
    assert_eq!(browser.clipboard().await, code);

    let go = browser.wait_for_button("Go to remote").await;
    assert_eq!(
        go.attr("href").await.unwrap().as_deref(),
        Some(company_b.url.as_str())
    );
    assert_eq!(go.attr("target").await.unwrap().as_deref(), Some("_blank"));
    assert!(
        go.attr("rel")
            .await
            .unwrap()
            .unwrap_or_default()
            .contains("noopener")
    );

    browser.wait_for_button("Done").await.click().await.unwrap();
    browser.wait_for_text("Pending").await;
    let rows = browser.table_rows().await;
    assert_eq!(
        rows.len(),
        1,
        "one connection, whatever the clicks: {rows:?}"
    );
    let row = &rows[0];
    assert_eq!(row[0], XSS, "the name is shown as typed: {row:?}");
    assert!(row.contains(&"company_a".to_string()), "{row:?}");
    assert!(row.contains(&"company_b_eu".to_string()), "{row:?}");
    assert!(row.contains(&company_b.url), "{row:?}");
    assert!(row.contains(&"Script".to_string()), "{row:?}");
    assert!(row.contains(&"Pending".to_string()), "{row:?}");
    assert_eq!(
        browser.img_count().await,
        0,
        "no markup from typed text was run"
    );

    // What the page shows is what was stored: a reload reads it back from the node.
    browser.client.refresh().await.unwrap();
    browser.wait_for_text("Pending").await;
    assert_eq!(browser.table_rows().await.len(), 1);

    browser.close().await;
    company_a.node.stop().await;
    company_b.node.stop().await;
}
