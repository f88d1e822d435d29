//! The discovery engine's configuration from the plugin's settings.

use rp_pppoe_core::engine::{Config, Mode};
use rp_pppoe_core::wire::MacAddr;

use super::settings::{Settings, NO_SERVICE_NAME};

/// What the engine asks for and accepts on interface `our_mac` for pppd
/// `pid`; `max_payload` is the PPP-Max-Payload to request (RFC 4638).
pub(crate) fn engine_config(
    settings: &Settings,
    our_mac: MacAddr,
    pid: i32,
    max_payload: Option<u16>,
) -> Config {
    // NO-SERVICE-NAME-NON-RFC-COMPLIANT: no Service-Name tag is sent, and
    // any offered service is taken.
    let special = settings.service.as_deref() == Some(NO_SERVICE_NAME);
    Config {
        our_mac,
        service_name: if special {
            None
        } else {
            Some(settings.service.clone().unwrap_or_default())
        },
        service_filter: settings.service.clone().filter(|_| !special),
        ac_name: settings.ac_name.clone(),
        ac_mac: settings.ac_mac,
        // Default Host-Uniq: unique per pppd process (the pid, host byte
        // order, as the C plugin).
        host_uniq: Some(
            settings
                .host_uniq
                .clone()
                .unwrap_or_else(|| pid.to_ne_bytes().to_vec()),
        ),
        ppp_max_payload: max_payload,
        padi_timeout: settings.padi_timeout,
        padi_attempts: settings.padi_attempts,
        padr_timeout: settings.padi_timeout,
        padr_attempts: settings.padi_attempts,
        backoff: settings.padi_backoff,
        verbose: settings.verbose,
        mode: Mode::Dial,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pppd::settings::Raw;
    use alloc::vec::Vec;
    use core::time::Duration;
    use rp_pppoe_core::engine::Backoff;

    fn host_uniq(config: &Config) -> Vec<u8> {
        config.host_uniq.clone().unwrap_or_default()
    }

    fn settings(raw: Raw) -> Settings {
        Raw {
            padi_timeout: 5,
            padi_attempts: 3,
            ..raw
        }
        .parse()
        .unwrap()
    }

    #[test]
    fn defaults_use_the_pid_as_host_uniq_and_double_the_timeouts() {
        let mac = MacAddr([2, 0, 0, 0, 0, 1]);
        let c = engine_config(&settings(Raw::default()), mac, 0x1234, None);
        assert_eq!(c.our_mac, mac);
        assert_eq!(host_uniq(&c), 0x1234i32.to_ne_bytes());
        assert_eq!(c.service_name.as_deref(), Some(&b""[..]));
        assert_eq!(c.service_filter, None);
        assert_eq!(
            (c.padi_timeout, c.padi_attempts),
            (Duration::from_secs(5), 3)
        );
        assert_eq!(
            (c.padr_timeout, c.padr_attempts),
            (Duration::from_secs(5), 3)
        );
        assert_eq!(c.backoff, Backoff::Double);
        assert_eq!(c.ppp_max_payload, None);
    }

    #[test]
    fn service_is_asked_for_and_required() {
        let s = settings(Raw {
            service: Some(b"isp".to_vec()),
            host_uniq: Some(b"c0ffee01".to_vec()),
            ..Raw::default()
        });
        let c = engine_config(&s, MacAddr([2, 0, 0, 0, 0, 1]), 1, Some(1500));
        assert_eq!(c.service_name.as_deref(), Some(&b"isp"[..]));
        assert_eq!(c.service_filter.as_deref(), Some(&b"isp"[..]));
        assert_eq!(host_uniq(&c), [0xc0, 0xff, 0xee, 0x01]);
        assert_eq!(c.ppp_max_payload, Some(1500));
    }

    #[test]
    fn no_service_name_and_fixed_backoff() {
        let s = settings(Raw {
            service: Some(b"NO-SERVICE-NAME-NON-RFC-COMPLIANT".to_vec()),
            padi_backoff: Some(b"fixed".to_vec()),
            ..Raw::default()
        });
        let c = engine_config(&s, MacAddr([2, 0, 0, 0, 0, 1]), 1, None);
        assert_eq!(c.service_name, None);
        assert_eq!(c.service_filter, None);
        assert_eq!(c.backoff, Backoff::Fixed);
    }
}
