//! A small HTTP/1.1 load client for `detente serve` (bench/serve/run drives it): `C`
//! threads, each on its own keep-alive connection, share `N` GET requests taken in turn
//! from the paths given, and the client prints each request's outcome counted by status,
//! the errors, and the latency percentiles. Standard library only.
//!
//! Usage: `load ADDR REQUESTS CONCURRENCY PATH...` (ADDR as `127.0.0.1:7878`).

#![allow(clippy::disallowed_methods)] // a load client reads the clock

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// One request's outcome: the status (0 for an I/O error) and its latency.
type Outcome = (u16, Duration);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 4 {
        eprintln!("usage: load ADDR REQUESTS CONCURRENCY PATH...");
        std::process::exit(2);
    }
    let addr = args[0].clone();
    let (Ok(requests), Ok(concurrency)) = (args[1].parse::<usize>(), args[2].parse::<usize>())
    else {
        eprintln!("load: REQUESTS and CONCURRENCY are whole numbers");
        std::process::exit(2);
    };
    let paths: Arc<Vec<String>> = Arc::new(args[3..].to_vec());
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency.max(1))
        .map(|_| {
            let (addr, paths, next) = (addr.clone(), paths.clone(), next.clone());
            std::thread::spawn(move || worker(&addr, &paths, &next, requests))
        })
        .collect();
    let mut outcomes: Vec<Outcome> = vec![];
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    for w in workers {
        let (o, e) = w.join().expect("a worker ran");
        outcomes.extend(o);
        for (k, n) in e {
            *errors.entry(k).or_default() += n;
        }
    }
    let wall = started.elapsed();
    report(&outcomes, &errors, wall);
}

/// Takes requests until none is left; reconnects after an error or a closed connection.
fn worker(
    addr: &str,
    paths: &[String],
    next: &AtomicUsize,
    requests: usize,
) -> (Vec<Outcome>, BTreeMap<String, usize>) {
    let mut outcomes = vec![];
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    let mut conn: Option<BufReader<TcpStream>> = None;
    loop {
        let k = next.fetch_add(1, Ordering::Relaxed);
        if k >= requests {
            break;
        }
        let path = &paths[k % paths.len()];
        let start = Instant::now();
        let result = (|| -> std::io::Result<(u16, bool)> {
            if conn.is_none() {
                let s = TcpStream::connect(addr)?;
                s.set_nodelay(true)?;
                s.set_read_timeout(Some(Duration::from_secs(60)))?;
                conn = Some(BufReader::new(s));
            }
            let c = conn.as_mut().expect("connected");
            write!(c.get_mut(), "GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n")?;
            c.get_mut().flush()?;
            read_response(c)
        })();
        match result {
            Ok((status, keep)) => {
                outcomes.push((status, start.elapsed()));
                if !keep {
                    conn = None;
                }
            }
            Err(e) => {
                outcomes.push((0, start.elapsed()));
                *errors.entry(format!("{:?}", e.kind())).or_default() += 1;
                conn = None;
            }
        }
    }
    (outcomes, errors)
}

/// Reads one response; its status and whether the connection stays open.
fn read_response(c: &mut BufReader<TcpStream>) -> std::io::Result<(u16, bool)> {
    let bad = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_string());
    let mut line = String::new();
    if c.read_line(&mut line)? == 0 {
        return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "closed"));
    }
    let status: u16 =
        line.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| bad("status line"))?;
    let (mut length, mut chunked, mut keep) = (None, false, true);
    loop {
        line.clear();
        if c.read_line(&mut line)? == 0 {
            return Err(bad("headers cut short"));
        }
        let h = line.trim_end();
        if h.is_empty() {
            break;
        }
        let (name, value) = h.split_once(':').ok_or_else(|| bad("header"))?;
        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim().to_ascii_lowercase());
        match name.as_str() {
            "content-length" => length = value.parse::<usize>().ok(),
            "transfer-encoding" => chunked = value.contains("chunked"),
            "connection" => keep = !value.contains("close"),
            _ => {}
        }
    }
    let mut sink = vec![];
    if chunked {
        loop {
            line.clear();
            c.read_line(&mut line)?;
            let n = usize::from_str_radix(line.trim(), 16).map_err(|_| bad("chunk size"))?;
            sink.resize(n + 2, 0);
            c.read_exact(&mut sink)?;
            if n == 0 {
                break;
            }
        }
    } else if let Some(n) = length {
        sink.resize(n, 0);
        c.read_exact(&mut sink)?;
    } else {
        c.read_to_end(&mut sink)?;
        keep = false;
    }
    Ok((status, keep))
}

/// Prints the counts by status, the errors and the latency percentiles, one `key value`
/// a line (bench/serve/run reads them).
fn report(outcomes: &[Outcome], errors: &BTreeMap<String, usize>, wall: Duration) {
    let mut by_status: BTreeMap<u16, usize> = BTreeMap::new();
    for (s, _) in outcomes {
        *by_status.entry(*s).or_default() += 1;
    }
    let mut ms: Vec<f64> = outcomes.iter().map(|(_, d)| d.as_secs_f64() * 1e3).collect();
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| {
        if ms.is_empty() {
            return 0.0;
        }
        let k = ((q * ms.len() as f64).ceil() as usize).clamp(1, ms.len());
        ms[k - 1]
    };
    println!("requests {}", outcomes.len());
    for (s, n) in &by_status {
        println!("status_{s} {n}");
    }
    let failed = outcomes.iter().filter(|(s, _)| *s == 0 || *s >= 500).count();
    println!("errors {failed}");
    for (kind, n) in errors {
        println!("error_{kind} {n}");
    }
    println!("wall_s {:.3}", wall.as_secs_f64());
    println!("per_s {:.0}", outcomes.len() as f64 / wall.as_secs_f64().max(1e-9));
    println!("p50_ms {:.2}", at(0.50));
    println!("p95_ms {:.2}", at(0.95));
    println!("p99_ms {:.2}", at(0.99));
    println!("max_ms {:.2}", ms.last().copied().unwrap_or(0.0));
}
