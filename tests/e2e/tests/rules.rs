//! The life of an accepted connection, as an administrator clicks it: edit and publish the
//! sync rules (also with Ctrl+S), see a checker problem stop a publish, restore an earlier
//! version, test the connection, deactivate it (the other side is told) and delete it.

use fantoccini::key::Key;
use synclink_core::Platform;
use synclink_e2e::{Browser, Instance};

const NAME: &str = "company_a_to_company_b";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_publish_restore_deactivate_delete() {
    let company_a = Instance::start("Company A", Platform::ServiceNow).await;
    let company_b = Instance::start("Company B", Platform::Jira).await;
    let browser = Browser::start(&[&company_a.url, &company_b.url]).await;
    let client = &browser.client;

    browser.sign_in(&company_a).await;
    let code = browser.initiate(Some(&company_b.url), "company_b").await;
    browser.wait_for_button("Done").await.click().await.unwrap();
    let tab_a = client.window().await.unwrap();
    let tab_b = browser.accept_in_new_tab(&company_b, &code).await;
    client.switch_to_window(tab_a.clone()).await.unwrap();
    browser.wait_for_row_status(NAME, "Active").await;

    // Open the connection and its rules: ServiceNow's defaults name its own fields.
    browser.wait_for_button(NAME).await.click().await.unwrap();
    browser
        .wait_for_button("Rules")
        .await
        .click()
        .await
        .unwrap();
    let outgoing = browser.wait_for_field("Outgoing sync").await;
    let script = outgoing.prop("value").await.unwrap().unwrap_or_default();
    assert!(script.contains("entity.short_description"), "{script}");
    browser.wait_for_field("Incoming sync").await;
    browser.wait_for_text("Version 1").await;

    // Edit, then publish with Ctrl+S.
    outgoing
        .send_keys("replica.priority = entity.priority\n")
        .await
        .unwrap();
    browser.wait_for_text("Unpublished changes").await;
    outgoing.send_keys(&(Key::Control + "s")).await.unwrap();
    browser.wait_for_text("Version 2").await;

    // A checker problem is shown at its line and stops the publish.
    outgoing.send_keys("foo(").await.unwrap();
    browser
        .wait_for_button("Publish")
        .await
        .click()
        .await
        .unwrap();
    browser.wait_for_text("never closed").await;
    assert!(
        !browser.widget_text().await.contains("Version 3"),
        "nothing was published"
    );
    // Fixed, but not published: "foo" stays as an unpublished change.
    outgoing
        .send_keys(&Key::Backspace.to_string())
        .await
        .unwrap();

    // Leaving with unpublished changes asks first.
    browser
        .wait_for_button("< Connections")
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait_for_text("You have unpublished changes. Leave without publishing?")
        .await;
    browser.wait_for_button("Stay").await.click().await.unwrap();
    browser.wait_for_field("Outgoing sync").await;

    // Restore version 1: a new version 3 with the defaults again, once the admin agrees to
    // drop the unpublished "foo".
    browser
        .wait_for_button_in_row("Version 1", "Restore")
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait_for_text("You have unpublished changes. Restore version 1 and discard them?")
        .await;
    browser
        .wait_for_button("Restore anyway")
        .await
        .click()
        .await
        .unwrap();
    browser.wait_for_text("restored from 1").await;
    browser.wait_for_text("Version 3").await;
    let outgoing = browser.wait_for_field("Outgoing sync").await;
    let restored = outgoing.prop("value").await.unwrap().unwrap_or_default();
    assert_eq!(restored, script, "version 3 holds version 1's scripts");

    // Details: test the connection, then deactivate it; the other side is told.
    browser
        .wait_for_button("Details")
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait_for_button("Test connection")
        .await
        .click()
        .await
        .unwrap();
    browser.wait_for_text("sees the connection as Active").await;
    browser
        .wait_for_button("Deactivate")
        .await
        .click()
        .await
        .unwrap();
    browser.wait_for_button("Activate").await;
    browser.wait_for_text("Deactivated").await;

    client.switch_to_window(tab_b.clone()).await.unwrap();
    client.refresh().await.unwrap();
    browser.wait_for_row_status(NAME, "Deactivated").await;

    // Delete on A, after typing the name; B's side stays, deactivated.
    client.switch_to_window(tab_a).await.unwrap();
    let confirm_delete = async {
        browser
            .wait_for_button("Delete")
            .await
            .click()
            .await
            .unwrap();
        let typed = browser
            .wait_for_field("Type the connection name to confirm")
            .await;
        let delete = browser.wait_for_button("Delete connection").await;
        assert_eq!(
            delete.prop("disabled").await.unwrap().as_deref(),
            Some("true")
        );
        typed.send_keys(NAME).await.unwrap();
        browser
            .wait_for_button("Delete connection")
            .await
            .click()
            .await
            .unwrap();
    };
    confirm_delete.await;
    browser.wait_for_text("No connections yet").await;
    client.refresh().await.unwrap();
    browser.wait_for_text("No connections yet").await;

    client.switch_to_window(tab_b).await.unwrap();
    client.refresh().await.unwrap();
    browser.wait_for_row_status(NAME, "Deactivated").await;

    browser.close().await;
    company_a.node.stop().await;
    company_b.node.stop().await;
}
