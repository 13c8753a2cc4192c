//! `detente serve`: a local web server over what the commands compute (issue 12).
//!
//! An edge like the CLI: the scenarios are read once at start ([`served`]); each request
//! names one by its name, and no path from a request ever reaches the file system. The
//! JSON API ([`api`]) answers with the very report values of the commands (`Report::json`,
//! the bytes of `--json`); the pages ([`pages`]) are HTML rendered here with the CLI's words.
//! Every computation runs on the blocking pool under a time limit ([`guard`]).
//!
//! One event-loop thread (tokio's current-thread runtime) does the network I/O, which is
//! small for a local server; the computations run on at most [`guard::WORKERS`] blocking
//! threads, so a busy server never starts more work than the machine has cores for.

mod api;
mod guard;
pub mod pages;
mod play;
pub mod render;
mod room;
mod room_pages;
mod served;
mod tools;
mod view;

use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use crate::BadInput;

/// The port served when `--port` is not given.
pub const DEFAULT_PORT: u16 = 7878;

/// The largest request body taken, in bytes (larger ones are refused with 413).
pub const MAX_BODY: usize = 64 * 1024;

/// The flags of `detente serve`.
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Scenario files, folders of them (every scenario file in the folder), shipped names,
    /// NegMAS JSON domains or GENIUS domain folders (default: the shipped scenarios). Read
    /// once, at start.
    #[arg(value_name = "FILE|DIR")]
    pub scenarios: Vec<String>,
    /// The port to listen on (0: a free port, printed).
    #[arg(long, default_value_t = DEFAULT_PORT)]
    pub port: u16,
    /// The address to listen on; anything but a loopback address is reachable from other
    /// machines and prints a warning.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Open the overview in the default browser once listening.
    #[arg(long)]
    pub open: bool,
    /// Also serve confidential negotiation rooms (docs/security.md), kept in --data's SQLite
    /// file or in --database.
    #[arg(long)]
    pub multi_user: bool,
    /// With --multi-user: the folder of the rooms' SQLite file (created if needed).
    #[arg(long, value_name = "DIR", requires = "multi_user")]
    pub data: Option<std::path::PathBuf>,
    /// With --multi-user: keep the rooms in this PostgreSQL database instead
    /// (postgres://user@host:port/db, no TLS: loopback or a private network).
    #[arg(long, value_name = "URL", requires = "multi_user", conflicts_with = "data")]
    pub database: Option<String>,
    /// With --multi-user: create a room from this scenario (file or shipped name) at start
    /// and print its id, the mediator's token and one invitation per party.
    #[arg(long, value_name = "FILE|NAME", requires = "multi_user")]
    pub new_room: Option<String>,
    /// With --multi-user: give the mediator of this room a new token at start and print it
    /// (for a mediator that lost its own; the old token and its sessions end).
    #[arg(long, value_name = "ROOM", requires = "multi_user")]
    pub reissue_mediator: Option<String>,
    /// With --multi-user: at most FAILURES failed sign-ins and claims on one holder of a
    /// room in any SECONDS, and ten times as many from one client address, before every
    /// attempt is refused (429) until the window frees a place (default 10/900;
    /// docs/security.md).
    #[arg(long, value_name = "FAILURES/SECONDS", requires = "multi_user")]
    pub sign_in_limit: Option<String>,
}

/// `--sign-in-limit FAILURES/SECONDS` read: the room's limit, ten times FAILURES per address.
fn sign_in_limit(text: &str) -> Result<detente_room::SignInLimit, BadInput> {
    let bad = || {
        BadInput(format!(
            "--sign-in-limit {text:?}: expected FAILURES/SECONDS, two whole numbers of at least 1 (e.g. 10/900, the default)"
        ))
    };
    let (failures, window) = text.split_once('/').ok_or_else(bad)?;
    let failures: usize = failures.trim().parse().map_err(|_| bad())?;
    let window: i64 = window.trim().parse().map_err(|_| bad())?;
    if failures == 0 || window <= 0 || failures > 1_000_000 {
        return Err(bad());
    }
    Ok(detente_room::SignInLimit { failures, per_address: failures * 10, window })
}

/// The server's state: the scenarios served and the workers' permits.
#[derive(Clone)]
pub struct App {
    served: Arc<served::Served>,
    workers: Arc<tokio::sync::Semaphore>,
    /// The rooms, with `--multi-user`.
    rooms: Option<room::Shared>,
}

/// `detente serve`: reads the scenarios, listens, prints the URL and serves until stopped.
pub fn run(args: &ServeArgs) -> anyhow::Result<()> {
    let served = served::load(&args.scenarios)?;
    let rooms = open_rooms(args)?;
    let ip = host(&args.host)?;
    if !ip.is_loopback() && rooms.is_some() {
        eprintln!(
            "detente: warning: listening on {ip} with rooms: tokens, sessions and every party's inputs cross the network in clear; TLS belongs in a reverse proxy in front of this server (docs/security.md), and the scenarios served are readable by anyone who can reach it"
        );
    } else if !ip.is_loopback() {
        eprintln!(
            "detente: warning: listening on {ip}: anyone who can reach this address can read the scenarios served and make the server compute (there is no login); the default, 127.0.0.1, serves this machine only"
        );
    }
    let listener = std::net::TcpListener::bind(SocketAddr::new(ip, args.port)).map_err(|e| {
        BadInput(match e.kind() {
            std::io::ErrorKind::AddrInUse => format!(
                "--port {}: the port is in use on {ip} (choose another, or --port 0 for a free one)",
                args.port
            ),
            _ => format!("--host {} --port {}: cannot listen: {e}", args.host, args.port),
        })
    })?;
    listener.set_nonblocking(true)?;
    let url = match listener.local_addr()? {
        SocketAddr::V4(a) => format!("http://{a}/"),
        SocketAddr::V6(a) => format!("http://[{}]:{}/", a.ip(), a.port()),
    };
    let mut stdout = std::io::stdout().lock();
    if let (Some(rooms), Some(scenario)) = (&rooms, &args.new_room) {
        // As every command reads it: as of the file's day, its later revisions applied.
        let (s, _) = crate::load::as_of(crate::load::scenario(scenario)?, None)?;
        let mut store = rooms.lock().map_err(|_| anyhow::anyhow!("the room store is poisoned"))?;
        let created = store.create(&s, room::now()).map_err(|e| room_error(&e))?;
        writeln!(
            stdout,
            "detente: room {} created from {scenario}; hand the mediator its token and each party its invitation:",
            created.room
        )?;
        writeln!(stdout, "  mediator {}", created.mediator.expose())?;
        for (party, token) in &created.invitations {
            writeln!(stdout, "  {party} {}", token.expose())?;
        }
        writeln!(
            stdout,
            "detente: each party claims its invitation at its first sign-in by choosing a secret of its own, and signs in with that secret afterwards (the invitation then works no more)"
        )?;
        // The path alone: the URL is the next line's (and a reader may take the first URL).
        writeln!(
            stdout,
            "detente: each signs in on the room's page, /rooms/{}/ here",
            created.room
        )?;
    }
    if let (Some(rooms), Some(room)) = (&rooms, &args.reissue_mediator) {
        let mut store = rooms.lock().map_err(|_| anyhow::anyhow!("the room store is poisoned"))?;
        let r = store.reissue_as_operator(room, "mediator", room::now()).map_err(|e| {
            match e.kind() {
                detente_room::ErrorKind::Storage => anyhow::anyhow!("{e}"),
                _ => BadInput(format!("--reissue-mediator: {e}")).into(),
            }
        })?;
        writeln!(
            stdout,
            "detente: room {room} has a new mediator's token (the old one and its {} no longer work):",
            detente_words::count(r.sessions_ended as usize, "session", "sessions")
        )?;
        writeln!(stdout, "  mediator {}", r.token.expose())?;
    }
    writeln!(
        stdout,
        "detente: serving {} at {url} (Ctrl-C stops)",
        detente_words::count(served.len(), "scenario", "scenarios")
    )?;
    stdout.flush()?;
    drop(stdout);
    if args.open {
        open_browser(&url);
    }
    let app = App {
        served: Arc::new(served),
        workers: Arc::new(tokio::sync::Semaphore::new(guard::WORKERS)),
        rooms,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .max_blocking_threads(guard::WORKERS)
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        // With each client's address: the room counts failed sign-ins by it.
        let service = api::router(app).into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, service).await
    })?;
    Ok(())
}

/// The rooms of `--multi-user`: `--database`'s PostgreSQL, or `--data`'s SQLite file.
fn open_rooms(args: &ServeArgs) -> anyhow::Result<Option<room::Shared>> {
    if !args.multi_user {
        return Ok(None);
    }
    let rooms = match (&args.data, &args.database) {
        (_, Some(url)) => detente_room::Rooms::postgres(url),
        (Some(dir), None) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| BadInput(format!("--data {}: {e}", dir.display())))?;
            detente_room::Rooms::sqlite(dir)
        }
        (None, None) => {
            return Err(BadInput(
                "--multi-user needs --data DIR (a SQLite file there) or --database postgres://..."
                    .into(),
            )
            .into());
        }
    };
    let mut rooms = rooms.map_err(|e| room_error(&e))?;
    if let Some(limit) = &args.sign_in_limit {
        rooms = rooms.with_sign_in_limit(sign_in_limit(limit)?).map_err(|e| room_error(&e))?;
    }
    Ok(Some(Arc::new(std::sync::Mutex::new(rooms))))
}

/// A room error at start: bad input (exit 2) but for the storage's own failures.
fn room_error(e: &detente_room::Error) -> anyhow::Error {
    match e.kind() {
        detente_room::ErrorKind::Storage => anyhow::anyhow!("{e}"),
        _ => BadInput(e.to_string()).into(),
    }
}

/// The address `--host` names: an IP address, or `localhost`.
fn host(h: &str) -> Result<IpAddr, BadInput> {
    if h.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    h.parse().map_err(|_| {
        BadInput(format!(
            "--host {h:?}: not an IP address (e.g. 127.0.0.1, the default, or ::1; 0.0.0.0 listens on every interface)"
        ))
    })
}

/// Asks the desktop to open `url`; a failure is said, not fatal.
fn open_browser(url: &str) {
    let (program, args): (&str, &[&str]) = if cfg!(target_os = "macos") {
        ("open", &[])
    } else if cfg!(windows) {
        ("cmd", &["/C", "start", ""])
    } else {
        ("xdg-open", &[])
    };
    match std::process::Command::new(program).args(args).arg(url).spawn() {
        // Reaped by a thread so that it does not linger as a zombie.
        Ok(mut child) => drop(std::thread::spawn(move || child.wait())),
        Err(e) => eprintln!("detente: note: --open: cannot run {program}: {e}; open {url}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_ip_addresses_or_localhost() {
        assert_eq!(host("localhost").unwrap(), IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert!(host("::1").unwrap().is_loopback());
        assert!(!host("0.0.0.0").unwrap().is_loopback());
        let e = host("example.org").unwrap_err().0;
        assert!(e.starts_with("--host \"example.org\": not an IP address"), "{e}");
    }

    #[test]
    fn sign_in_limits_are_failures_over_seconds() {
        let l = sign_in_limit("3/60").unwrap();
        assert_eq!((l.failures, l.per_address, l.window), (3, 30, 60));
        for bad in ["", "3", "0/60", "3/0", "3/-1", "x/60", "3/60/1", "-3/60"] {
            let e = sign_in_limit(bad).unwrap_err().0;
            assert!(e.starts_with("--sign-in-limit") && e.contains("FAILURES/SECONDS"), "{e}");
        }
    }
}
