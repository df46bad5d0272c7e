//! The HTML of the two pages the node serves itself: the sign-in page and the admin page that
//! hosts the widget. Every interpolated value is escaped; there is no inline script or style,
//! so the pages work under a strict Content-Security-Policy.

use synclink_core::{API_BASE, Platform};

/// Escapes text for HTML element content and double-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn head(title: &str, extra: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="/assets/admin.css">
{extra}</head>
"#,
        title = escape(title),
    )
}

/// The sign-in page, with an error line after a wrong token.
pub fn sign_in(instance_name: &str, platform: Platform, error: Option<&str>) -> String {
    let error = match error {
        Some(text) => format!(r#"<p class="sn-error" role="alert">{}</p>"#, escape(text)),
        None => String::new(),
    };
    format!(
        r#"{head}<body class="sn-signin-body">
<main class="sn-signin">
<h1 class="sn-signin-title">{name}</h1>
<p class="sn-signin-sub">{platform} instance · synclink</p>
{error}<form method="post" action="/login" class="sn-signin-form">
<label for="admin-token">Admin token</label>
<input type="password" id="admin-token" name="token" autocomplete="current-password" required autofocus>
<button type="submit" class="sn-button sn-button-primary">Sign in</button>
</form>
</main>
</body>
</html>
"#,
        head = head(&format!("Sign in | {instance_name}"), ""),
        name = escape(instance_name),
        platform = escape(platform.label()),
    )
}

/// The admin page: a ServiceNow-like frame (header, navigator) around the widget's root.
pub fn admin(
    instance_name: &str,
    platform: Platform,
    user_token: &str,
    widget_built: bool,
) -> String {
    let (script, main) = if widget_built {
        (
            r#"<script type="module" src="/assets/boot.js"></script>
"#
            .to_string(),
            format!(
                r#"<div id="synclink-root" data-api-base="{api}" data-stylesheet="/assets/widget.css"></div>
<noscript><p class="sn-notice">The Connections page needs JavaScript.</p></noscript>"#,
                api = escape(API_BASE),
            ),
        )
    } else {
        (
            String::new(),
            r#"<p class="sn-notice" role="alert">The widget is not built: run cargo xtask build</p>"#
                .to_string(),
        )
    };
    let extra = format!(
        r#"<meta name="g_ck" content="{token}">
{script}"#,
        token = escape(user_token),
    );
    format!(
        r#"{head}<body class="sn-body">
<header class="sn-header">
<div class="sn-brand">
<span class="sn-logo">synclink</span>
<span class="sn-instance">{name}</span>
<span class="sn-platform">{platform}</span>
</div>
<form method="post" action="/logout" class="sn-signout">
<button type="submit" class="sn-button sn-button-header">Sign out</button>
</form>
</header>
<div class="sn-layout">
<nav class="sn-nav" aria-label="Application navigator">
<div class="sn-nav-app">synclink</div>
<ul class="sn-nav-list">
<li><a href="/" class="sn-nav-item sn-active" aria-current="page">Connections</a></li>
</ul>
</nav>
<main class="sn-main">
{main}
</main>
</div>
</body>
</html>
"#,
        head = head(&format!("Connections | {instance_name}"), &extra),
        name = escape(instance_name),
        platform = escape(platform.label()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_interpolated() {
        let evil = r#"<script>alert("x")</script>&'"#;
        let page = admin(evil, Platform::ServiceNow, "tok\"en", true);
        assert!(!page.contains("<script>alert"));
        assert!(page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"));
        assert!(page.contains(r#"content="tok&quot;en""#));
        let page = sign_in(evil, Platform::Jira, Some("<b>"));
        assert!(!page.contains("<script>alert"));
        assert!(page.contains("&lt;b&gt;"));
    }

    #[test]
    fn admin_page_hosts_the_widget_or_says_it_is_missing() {
        let page = admin("Company A", Platform::ServiceNow, "t", true);
        assert!(page.contains("<title>Connections | Company A</title>"));
        assert!(page.contains(r#"<div id="synclink-root" data-api-base="/api/x_synclink/v1""#));
        assert!(page.contains(r#"<script type="module" src="/assets/boot.js"></script>"#));
        assert!(!page.contains("<style"));
        let page = admin("Company A", Platform::ServiceNow, "t", false);
        assert!(page.contains("The widget is not built: run cargo xtask build"));
        assert!(!page.contains("boot.js"));
    }
}
