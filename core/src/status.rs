//! The status file for router UIs (`pppoe-status-file PATH`): one small JSON
//! document describing where the connection is, rewritten atomically at each
//! stage. Pure: builds the text; the pppd boundary decides when and writes it
//! with `os::write_file_atomic`.
//!
//! Every document has `state`, `time` (Unix seconds, millisecond precision),
//! `pid` and `interface`, plus the fields of its state (README, "Status file").

use alloc::string::String;

use crate::engine::{Offer, Refusal};
use crate::push;
use crate::text::Hex4;
use crate::wire::MacAddr;

/// Who or what ended a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndedBy {
    /// This side: pppd was asked to stop, or gave up (e.g. idle, LCP failure).
    Us,
    /// The access concentrator sent a PADT.
    AcPadt,
    /// LCP echo requests went unanswered (pppd exit 15).
    LcpEcho,
    /// Anything else the plugin cannot attribute.
    Unknown,
}

impl EndedBy {
    fn as_str(self) -> &'static str {
        match self {
            EndedBy::Us => "us",
            EndedBy::AcPadt => "ac-padt",
            EndedBy::LcpEcho => "lcp-echo",
            EndedBy::Unknown => "unknown",
        }
    }
}

/// One stage of the connection, with what its document shows (borrowed:
/// the caller keeps the offers and the session).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State<'a> {
    Discovering {
        attempt: u32,
        attempts: u32,
    },
    NoServer {
        attempts: u32,
    },
    ServerFound {
        chosen: &'a Offer,
        offers: &'a [Offer],
    },
    Session {
        session_id: u16,
        ac_mac: MacAddr,
        ac_name: &'a [u8],
    },
    /// Discovery failed and the last answer was an access concentrator's
    /// error tag (a wrong Service-Name, an AC that is full, ...).
    Refused(&'a Refusal),
    Authenticating,
    AuthFailed {
        exit_code: i32,
    },
    Up {
        ifname: &'a str,
        local: [u8; 4],
        remote: [u8; 4],
    },
    Down {
        reason: &'static str,
        exit_code: i32,
        ended_by: EndedBy,
    },
}

impl State<'_> {
    pub fn name(&self) -> &'static str {
        match self {
            State::Discovering { .. } => "discovering",
            State::NoServer { .. } => "no-server",
            State::ServerFound { .. } => "server-found",
            State::Session { .. } => "session",
            State::Refused(_) => "refused",
            State::Authenticating => "authenticating",
            State::AuthFailed { .. } => "auth-failed",
            State::Up { .. } => "up",
            State::Down { .. } => "down",
        }
    }
}

/// Appends `bytes` as a JSON string: valid UTF-8 is kept, invalid bytes
/// become U+FFFD, and `"`, `\` and control characters are escaped.
pub fn json_str(out: &mut String, bytes: &[u8]) {
    out.push('"');
    crate::text::lossy_chars(bytes, |c| {
        json_char(out, c);
        true
    });
    out.push('"');
}

fn json_char(out: &mut String, c: char) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x20 || c == '\u{7f}' || c == '\u{2028}' || c == '\u{2029}' => {
            // Below U+FFFF: four hex digits.
            push!(out; "\\u", Hex4(c as u16));
        }
        c => out.push(c),
    }
}

fn field_str(out: &mut String, key: &str, bytes: &[u8]) {
    push!(out; ",\"", key, "\":");
    json_str(out, bytes);
}

fn offer_json(out: &mut String, o: &Offer) {
    out.push_str("{\"ac_name\":");
    json_str(out, o.ac_name());
    push!(out; ",\"ac_mac\":\"", o.ac_mac, "\",\"service_names\":[");
    for (i, s) in o.service_names().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_str(out, s);
    }
    push!(out; "],\"cookie\":", o.cookie().is_some(), ",\"accepted\":", o.accepted);
    if let Some(mp) = o.usable_max_payload() {
        push!(out; ",\"ppp_max_payload\":", mp);
    }
    out.push('}');
}

fn ip(out: &mut String, a: [u8; 4]) {
    push!(out; a[0], '.', a[1], '.', a[2], '.', a[3]);
}

/// The document for `state` at `time_ms` (Unix milliseconds), one line + `\n`.
pub fn render(state: &State, time_ms: u64, pid: i32, interface: &str) -> String {
    let ms = time_ms % 1000;
    let pad = if ms < 10 {
        "00"
    } else if ms < 100 {
        "0"
    } else {
        ""
    };
    let mut out = crate::cat!(
        "{\"state\":\"",
        state.name(),
        "\",\"time\":",
        time_ms / 1000,
        '.',
        pad,
        ms,
        ",\"pid\":",
        pid
    );
    field_str(&mut out, "interface", interface.as_bytes());
    match state {
        State::Discovering { attempt, attempts } => {
            push!(&mut out; ",\"attempt\":", attempt, ",\"attempts\":", attempts);
        }
        State::NoServer { attempts } => {
            push!(&mut out; ",\"attempts\":", attempts);
        }
        State::ServerFound { chosen, offers } => {
            field_str(&mut out, "ac_name", chosen.ac_name());
            push!(&mut out; ",\"ac_mac\":\"", chosen.ac_mac, '"');
            field_str(
                &mut out,
                "service_name",
                chosen.service_names().next().unwrap_or_default(),
            );
            out.push_str(",\"offers\":[");
            for (i, o) in offers.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                offer_json(&mut out, o);
            }
            out.push(']');
        }
        State::Session {
            session_id,
            ac_mac,
            ac_name,
        } => {
            push!(&mut out; ",\"session_id\":", session_id, ",\"ac_mac\":\"", ac_mac, '"');
            field_str(&mut out, "ac_name", ac_name);
        }
        State::Refused(r) => {
            push!(&mut out; ",\"stage\":\"", r.code, '"');
            field_str(&mut out, "ac_name", &r.ac_name);
            push!(&mut out; ",\"ac_mac\":\"", r.ac_mac, "\",\"error\":\"", r.tag, '"');
            field_str(&mut out, "message", &r.text);
        }
        State::Authenticating => {}
        State::AuthFailed { exit_code } => {
            push!(&mut out; ",\"exit_code\":", exit_code);
        }
        State::Up {
            ifname,
            local,
            remote,
        } => {
            field_str(&mut out, "ppp_interface", ifname.as_bytes());
            out.push_str(",\"local_address\":\"");
            ip(&mut out, *local);
            out.push_str("\",\"remote_address\":\"");
            ip(&mut out, *remote);
            out.push('"');
        }
        State::Down {
            reason,
            exit_code,
            ended_by,
        } => {
            field_str(&mut out, "reason", reason.as_bytes());
            push!(&mut out;
                ",\"exit_code\":", exit_code, ",\"ended_by\":\"", ended_by.as_str(), '"'
            );
        }
    }
    out.push_str("}\n");
    out
}

/// pppd's exit codes as the words the `down` state gives as its reason.
pub fn exit_reason(code: i32) -> &'static str {
    match code {
        0 => "ok",
        1 => "fatal error",
        2 => "option error",
        3 => "not root",
        4 => "no kernel support",
        5 => "stopped by signal",
        6 => "lock failed",
        7 => "open failed",
        8 => "connect failed",
        9 => "pty command failed",
        10 => "negotiation failed",
        11 => "peer authentication failed",
        12 => "idle timeout",
        13 => "connect time limit",
        14 => "callback",
        15 => "peer not responding (LCP echo)",
        16 => "hangup",
        17 => "loopback detected",
        18 => "init script failed",
        19 => "authentication failed",
        20 => "traffic limit",
        21 => "CNID authentication failed",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::TagType;

    const MAC: MacAddr = MacAddr([0x02, 0, 0, 0, 0, 0x01]);

    fn offer(name: &[u8], accepted: bool) -> Offer {
        Offer {
            ac_mac: MAC,
            tags: crate::testing::tag_list(&[
                (TagType::AC_NAME, name),
                (TagType::SERVICE_NAME, b""),
                (TagType::SERVICE_NAME, b"svc"),
                (TagType::AC_COOKIE, b"c"),
            ]),
            accepted,
            refused: None,
        }
    }

    #[test]
    fn discovering() {
        let s = render(
            &State::Discovering {
                attempt: 2,
                attempts: 3,
            },
            1_700_000_000_123,
            42,
            "eth0",
        );
        assert_eq!(
            s,
            "{\"state\":\"discovering\",\"time\":1700000000.123,\"pid\":42,\"interface\":\"eth0\",\"attempt\":2,\"attempts\":3}\n"
        );
    }

    #[test]
    fn server_found_lists_offers() {
        let st = State::ServerFound {
            chosen: &offer(b"ac-two", true),
            offers: &[offer(b"ac-one", false), offer(b"ac-two", true)],
        };
        let s = render(&st, 5, 1, "eth0");
        assert_eq!(
            s,
            "{\"state\":\"server-found\",\"time\":0.005,\"pid\":1,\"interface\":\"eth0\",\"ac_name\":\"ac-two\",\
\"ac_mac\":\"02:00:00:00:00:01\",\"service_name\":\"\",\"offers\":[\
{\"ac_name\":\"ac-one\",\"ac_mac\":\"02:00:00:00:00:01\",\"service_names\":[\"\",\"svc\"],\"cookie\":true,\"accepted\":false},\
{\"ac_name\":\"ac-two\",\"ac_mac\":\"02:00:00:00:00:01\",\"service_names\":[\"\",\"svc\"],\"cookie\":true,\"accepted\":true}]}\n"
        );
    }

    #[test]
    fn wire_strings_are_escaped_whatever_their_bytes() {
        let mut s = String::new();
        json_str(&mut s, b"a\"b\\c\n\x01\x7f\xff\xfe\xe2\x80\xa8z");
        assert_eq!(
            s,
            "\"a\\\"b\\\\c\\n\\u0001\\u007f\u{fffd}\u{fffd}\\u2028z\""
        );
        // The result parses as JSON and round-trips the valid part.
        let doc = render(
            &State::Session {
                session_id: 7,
                ac_mac: MAC,
                ac_name: b"\"}{\x00",
            },
            0,
            1,
            "e",
        );
        assert!(doc.contains("\"ac_name\":\"\\\"}{\\u0000\""), "{doc}");
    }

    #[test]
    fn refused() {
        let r = Refusal {
            code: crate::wire::Code::PADS,
            ac_mac: MAC,
            ac_name: b"isp-ac".to_vec(),
            tag: crate::wire::TagType::SERVICE_NAME_ERROR,
            text: b"no such \"service\"".to_vec(),
        };
        assert_eq!(
            render(&State::Refused(&r), 1_763_700_000_120, 812, "eth0"),
            "{\"state\":\"refused\",\"time\":1763700000.120,\"pid\":812,\"interface\":\"eth0\",\
\"stage\":\"PADS\",\"ac_name\":\"isp-ac\",\"ac_mac\":\"02:00:00:00:00:01\",\
\"error\":\"Service-Name-Error\",\"message\":\"no such \\\"service\\\"\"}\n"
        );
    }

    #[test]
    fn up_and_down() {
        let up = render(
            &State::Up {
                ifname: "ppp0",
                local: [10, 0, 0, 2],
                remote: [10, 0, 0, 1],
            },
            0,
            1,
            "eth0",
        );
        assert!(up.ends_with(",\"ppp_interface\":\"ppp0\",\"local_address\":\"10.0.0.2\",\"remote_address\":\"10.0.0.1\"}\n"));
        let down = render(
            &State::Down {
                reason: exit_reason(16),
                exit_code: 16,
                ended_by: EndedBy::AcPadt,
            },
            0,
            1,
            "eth0",
        );
        assert!(
            down.ends_with(",\"reason\":\"hangup\",\"exit_code\":16,\"ended_by\":\"ac-padt\"}\n")
        );
        let af = render(&State::AuthFailed { exit_code: 19 }, 0, 1, "eth0");
        assert!(af.starts_with("{\"state\":\"auth-failed\""));
        assert!(af.ends_with(",\"exit_code\":19}\n"));
    }
}
