//! The other half of the seed flow: the code copied on one instance is pasted into Accept
//! invitation on the other, and both pages show the connection Active, the initiator's
//! without a reload.

use fantoccini::key::Key;
use synclink_core::Platform;
use synclink_e2e::{Browser, Instance};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accept_on_the_other_instance_and_both_sides_show_active() {
    let company_a = Instance::start("Company A", Platform::ServiceNow).await;
    let company_b = Instance::start("Company B", Platform::Jira).await;
    let browser = Browser::start(&[&company_a.url, &company_b.url]).await;
    let client = &browser.client;

    // Company A's administrator initiates and copies the code.
    browser.sign_in(&company_a).await;
    let code = browser.initiate(Some(&company_b.url), "company_b").await;
    browser
        .wait_for_button("Copy invitation code")
        .await
        .click()
        .await
        .unwrap();
    browser.wait_for_text("Copied").await;
    browser.wait_for_button("Done").await.click().await.unwrap();
    browser.wait_for_text("Pending").await;
    // Marks this page: if it were reloaded, the mark would be gone.
    client
        .execute("window.__not_reloaded = true;", vec![])
        .await
        .unwrap();
    let tab_a = client.window().await.unwrap();

    // Company B's administrator, in another tab of the same browser, pastes it.
    let tab_b = client.new_window(true).await.unwrap().handle;
    client.switch_to_window(tab_b.clone()).await.unwrap();
    browser.sign_in(&company_b).await;
    browser
        .wait_for_button("Accept invitation")
        .await
        .click()
        .await
        .unwrap();
    let field = browser.wait_for_field("Invitation code").await;
    field.click().await.unwrap();
    field.send_keys(&(Key::Control + "v")).await.unwrap();
    let pasted = field.prop("value").await.unwrap().unwrap_or_default();
    assert_eq!(
        pasted.split_whitespace().collect::<String>(),
        code,
        "Ctrl+V pastes the copied code"
    );

    browser.wait_for_button("Next").await.click().await.unwrap();
    // What the code says, before anything is sent.
    browser.wait_for_text(&company_a.url).await;
    browser.wait_for_text("ServiceNow").await;
    browser.wait_for_text("company_a_to_company_b").await;
    browser.wait_for_text("Script").await;
    browser
        .wait_for_button("Confirm")
        .await
        .click()
        .await
        .unwrap();
    browser.wait_for_text("The connection is Active.").await;
    let accepted_at = std::time::Instant::now();
    browser.wait_for_button("Done").await.click().await.unwrap();
    browser.wait_for_text("Active").await;
    let rows = browser.table_rows().await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        rows[0].contains(&"company_a_to_company_b".to_string()),
        "{rows:?}"
    );
    assert!(
        rows[0].contains(&"company_b".to_string()),
        "B's own short name: {rows:?}"
    );
    assert!(rows[0].contains(&company_a.url), "{rows:?}");
    assert!(rows[0].contains(&"Active".to_string()), "{rows:?}");

    // Back on Company A's page, untouched: it turns Active by itself.
    client.switch_to_window(tab_a).await.unwrap();
    browser
        .wait_for_row_status("company_a_to_company_b", "Active")
        .await;
    // A measurement for the report, not a limit: the machines are shared and noisy.
    eprintln!(
        "A's page showed Active {:.1} s after B's acceptance",
        accepted_at.elapsed().as_secs_f64()
    );
    let not_reloaded = client
        .execute("return window.__not_reloaded === true;", vec![])
        .await
        .unwrap();
    assert_eq!(
        not_reloaded,
        serde_json::Value::Bool(true),
        "A's page was not reloaded"
    );
    let rows = browser.table_rows().await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        rows[0].contains(&company_b.url),
        "A records B's URL: {rows:?}"
    );

    // The same code again, on B: refused or recognised, never a second connection.
    client.switch_to_window(tab_b).await.unwrap();
    browser
        .wait_for_button("Accept invitation")
        .await
        .click()
        .await
        .unwrap();
    let field = browser.wait_for_field("Invitation code").await;
    field.send_keys(&code).await.unwrap();
    browser.wait_for_button("Next").await.click().await.unwrap();
    browser
        .wait_for_button("Confirm")
        .await
        .click()
        .await
        .unwrap();
    browser.wait_for_button("Done").await.click().await.unwrap();
    browser.wait_for_text("Active").await;
    assert_eq!(
        browser.table_rows().await.len(),
        1,
        "still one connection on B"
    );

    browser.close().await;
    company_a.node.stop().await;
    company_b.node.stop().await;
}

/// A private remote: initiated with "I don't have a URL"; the initiator shows the remote URL as
/// unknown before and after the acceptance.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_remote_accepts_the_same_way() {
    let company_a = Instance::start("Company A", Platform::ServiceNow).await;
    let company_b = Instance::start("Company B", Platform::Jira).await;
    let browser = Browser::start(&[&company_a.url, &company_b.url]).await;
    let client = &browser.client;

    browser.sign_in(&company_a).await;
    let code = browser.initiate(None, "company_b").await;
    browser.wait_for_text("no destination URL").await;
    browser.wait_for_button("Done").await.click().await.unwrap();
    browser
        .wait_for_row_status("company_a_to_company_b", "Pending")
        .await;
    assert!(browser.table_rows().await[0].contains(&"Unknown (private)".to_string()));
    let tab_a = client.window().await.unwrap();

    let tab_b = client.new_window(true).await.unwrap().handle;
    client.switch_to_window(tab_b).await.unwrap();
    browser.sign_in(&company_b).await;
    browser
        .wait_for_button("Accept invitation")
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait_for_field("Invitation code")
        .await
        .send_keys(&code)
        .await
        .unwrap();
    browser.wait_for_button("Next").await.click().await.unwrap();
    browser
        .wait_for_button("Confirm")
        .await
        .click()
        .await
        .unwrap();
    browser.wait_for_text("The connection is Active.").await;

    client.switch_to_window(tab_a).await.unwrap();
    browser
        .wait_for_row_status("company_a_to_company_b", "Active")
        .await;

    browser.close().await;
    company_a.node.stop().await;
    company_b.node.stop().await;
}
