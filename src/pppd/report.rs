//! The status file for router UIs (`pppoe-status-file PATH`): which stage
//! the connection is in, rewritten at every stage (the documents are
//! `rp_pppoe_core::status`). Stages come from the connect flow and from
//! pppd's notifiers (phase change, IPCP up, exit).

use core::ffi::{c_int, c_void};

use alloc::string::String;
use alloc::vec::Vec;

use rp_pppoe_core::discovery::Progress;
use rp_pppoe_core::engine::{Failure, Offer, Refusal};
use rp_pppoe_core::status::{self, EndedBy, State};
use rp_pppoe_core::wire::Code;
use rp_pppoe_core::{log_with, os, warning};

use super::api::{self, Api, Notify, PppdCell};
use super::bindings as b;

/// Most offers a status document lists (the engine reports each PADO once).
const MAX_OFFERS: usize = 16;

/// What the last document said, as far as pppd's exit needs to know.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Last {
    /// Final for a UI (`no-server`, `refused`, `auth-failed`): the exit adds
    /// nothing.
    Final,
    /// `down`: the exit keeps its reason and who ended the session.
    Down(&'static str, EndedBy),
    Other,
}

/// Where documents go.
struct Writer {
    path: String,
    /// The Ethernet interface, for every document.
    ifname: String,
    last: Last,
    /// A write failed and was logged (logged once, not at every stage).
    failed: bool,
}

struct StatusFile {
    out: Writer,
    /// Offers seen in the current discovery round.
    offers: Vec<Offer>,
    /// PADI attempts of a round, for `discovering` and `no-server`.
    attempts: u32,
    /// The last refusal (an AC's error tag) of the current round.
    refusal: Option<Refusal>,
}

static STATUS: PppdCell<Option<StatusFile>> = PppdCell::new(None);

impl Writer {
    /// Rewrites the file with `state`.
    fn write(&mut self, state: State<'_>) {
        let doc = status::render(&state, os::unix_millis(), os::pid(), &self.ifname);
        match os::write_file_atomic(&self.path, doc.as_bytes()) {
            Ok(()) => self.failed = false,
            Err(e) if !self.failed => {
                self.failed = true;
                warning!(
                    "Cannot write status file %0.*v: %0.*v: %m",
                    v(self.path),
                    v(e.what),
                    m(e.errno)
                );
            }
            Err(_) => {}
        }
        self.last = match state {
            State::NoServer { .. } | State::Refused(_) | State::AuthFailed { .. } => Last::Final,
            State::Down {
                reason, ended_by, ..
            } => Last::Down(reason, ended_by),
            _ => Last::Other,
        };
    }
}

/// Runs `f` on the status file, if there is one (and it is not in use).
fn with_file(f: impl FnOnce(&mut StatusFile)) {
    if cfg!(rp_pppoe_no_status_file) {
        return; // scripts/bench only: what the status file costs in the .so
    }
    STATUS.with(|s| {
        if let Some(sf) = s.as_mut() {
            f(sf);
        }
    });
}

/// Reports `state` (no-op without a status file).
pub(crate) fn report(state: State<'_>) {
    with_file(|sf| sf.out.write(state));
}

/// Starts the status file at `check_options`: checks that PATH can be
/// written (an option error, exit 2, otherwise) and registers for the later
/// stages.
pub(crate) fn start(api: &Api, path: &str, ifname: &str, attempts: u32) {
    if cfg!(rp_pppoe_no_status_file) {
        return; // scripts/bench only (see with_file)
    }
    let first = State::Discovering {
        attempt: 0,
        attempts,
    };
    let doc = status::render(&first, os::unix_millis(), os::pid(), ifname);
    if let Err(e) = os::write_file_atomic(path, doc.as_bytes()) {
        log_with!(
            |fmt, args| api.option_error_args(fmt, args),
            "cannot write pppoe-status-file %0.*v: %0.*v: %m",
            v(path),
            v(e.what),
            m(e.errno)
        );
        os::exit(b::EXIT_OPTION_ERROR as c_int);
    }
    let ok = api.add_notify(Notify::Phase, Some(on_phase))
        & api.add_notify(Notify::IpUp, Some(on_ip_up))
        & api.add_notify(Notify::Exit, Some(on_exit));
    if !ok {
        warning!("This pppd cannot report all stages; the status file stops at 'session'");
    }
    STATUS.with(|s| {
        *s = Some(StatusFile {
            out: Writer {
                path: path.into(),
                ifname: ifname.into(),
                last: Last::Other,
                failed: false,
            },
            offers: Vec::new(),
            attempts,
            refusal: None,
        })
    });
}

/// A discovery round begins: forget the last round's offers and refusals.
pub(crate) fn discovery_started() {
    with_file(|sf| {
        sf.offers.clear();
        sf.refusal = None;
    });
}

/// A PADI went out, or a PADO came in.
pub(crate) fn progress(p: Progress) {
    with_file(|sf| match p {
        Progress::Padi(attempt) => sf.out.write(State::Discovering {
            attempt,
            attempts: sf.attempts,
        }),
        Progress::Refused(r) => sf.refusal = Some(r),
        Progress::Offer(o) => {
            let accepted = o.accepted;
            if sf.offers.len() < MAX_OFFERS || accepted {
                sf.offers.push(o);
            }
            if let (true, Some(chosen)) = (accepted, sf.offers.last()) {
                sf.out.write(State::ServerFound {
                    chosen,
                    offers: &sf.offers,
                });
            }
        }
    });
}

/// Discovery failed: `refused` if the ACs said no (a PADO with an error
/// tag and no acceptable one; a PADS with an error tag), else `no-server`
/// (no PADO) or `down` (no PADS).
pub(crate) fn discovery_failed(failure: Failure) {
    with_file(|sf| {
        let refusal = sf.refusal.as_ref().filter(|r| match failure {
            Failure::NoOffer => r.code == Code::PADO,
            Failure::NoConfirm => r.code == Code::PADS,
        });
        let state = match (refusal, failure) {
            (Some(r), _) => State::Refused(r),
            (None, Failure::NoOffer) => State::NoServer {
                attempts: sf.attempts,
            },
            (None, Failure::NoConfirm) => State::Down {
                reason: "no PADS from the access concentrator",
                exit_code: b::EXIT_CONNECT_FAILED as c_int,
                ended_by: EndedBy::Unknown,
            },
        };
        sf.out.write(state)
    });
}

/// How a session ended, from pppd's exit status `code` and whether the AC
/// had already ended it: final for a UI, so reported now, not only at exit.
pub(crate) fn session_ended(code: c_int, ended_by_ac: bool) {
    let ended_by = if ended_by_ac || code == b::EXIT_HANGUP as c_int {
        EndedBy::AcPadt
    } else if code == b::EXIT_PEER_DEAD as c_int {
        EndedBy::LcpEcho
    } else {
        EndedBy::Us
    };
    let state = if code == b::EXIT_AUTH_TOPEER_FAILED as c_int {
        State::AuthFailed { exit_code: code }
    } else {
        let reason = if ended_by == EndedBy::AcPadt {
            "session ended by the access concentrator"
        } else {
            status::exit_reason(code)
        };
        State::Down {
            reason,
            exit_code: code,
            ended_by,
        }
    };
    report(state);
}

/// pppd notifier: the link entered a new phase.
extern "C" fn on_phase(_arg: *mut c_void, phase: c_int) {
    if phase == b::PHASE_AUTHENTICATE as c_int {
        report(State::Authenticating);
    }
}

/// pppd notifier: IPCP is up.
extern "C" fn on_ip_up(_arg: *mut c_void, _val: c_int) {
    let Some(ifname) = api::get().and_then(Api::ifname) else {
        return;
    };
    let (local, remote) = os::if_addresses(&ifname).unwrap_or(([0; 4], [0; 4]));
    report(State::Up {
        ifname: &ifname,
        local,
        remote,
    });
}

/// pppd notifier: pppd is exiting with `code`.
extern "C" fn on_exit(_arg: *mut c_void, code: c_int) {
    with_file(|sf| {
        let state = match sf.out.last {
            _ if code == b::EXIT_AUTH_TOPEER_FAILED as c_int => {
                State::AuthFailed { exit_code: code }
            }
            Last::Final => return,
            Last::Down(reason, ended_by) => State::Down {
                reason,
                exit_code: code,
                ended_by,
            },
            Last::Other => State::Down {
                reason: status::exit_reason(code),
                exit_code: code,
                ended_by: if code == b::EXIT_PEER_DEAD as c_int {
                    EndedBy::LcpEcho
                } else {
                    EndedBy::Us
                },
            },
        };
        sf.out.write(state);
    });
}
