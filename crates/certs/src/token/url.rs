//! Finding the token in what a scanner read (扫码内容): a bare token or a verification URL.

/// Returns the token inside `text`: the value of a `t` query parameter
/// (`https://host/verify?t=<token>`), else the last path segment (`https://host/verify/<token>`),
/// else the trimmed text itself. Base64url needs no percent-decoding.
pub fn extract(text: &str) -> &str {
    let text = text.trim();
    let before_fragment = text.split('#').next().unwrap_or(text);
    if let Some((path, query)) = before_fragment.split_once('?') {
        if let Some(value) = query.split('&').find_map(|pair| pair.strip_prefix("t=")) {
            return value;
        }
        return last_segment(path);
    }
    last_segment(before_fragment)
}

fn last_segment(path: &str) -> &str {
    let path = path.trim_end_matches('/');
    path.rsplit('/').next().unwrap_or(path)
}
