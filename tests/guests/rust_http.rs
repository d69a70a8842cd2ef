// An HTTP server in Rust (std only), for wasm32-wasi: takes the listener at fd 3 (the first fd after stdio when no
// directory is preopened) with TcpListener::from_raw_fd, checks that a non-blocking accept with nobody waiting is
// WouldBlock, then answers each connection in turn ("Connection: close") until argv[1] requests were served or a
// request for /exit came. Reads and writes go through fd_read and fd_write.
use std::io::{ErrorKind, Read, Write};
use std::net::TcpListener;
use std::os::wasi::io::FromRawFd;

fn main() {
    let limit: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(usize::MAX);
    let listener = unsafe { TcpListener::from_raw_fd(3) };
    listener.set_nonblocking(true).expect("set_nonblocking(true)");
    match listener.accept() {
        Err(e) if e.kind() == ErrorKind::WouldBlock => println!("non-blocking accept: WouldBlock"),
        Err(e) => println!("non-blocking accept: {e}"),
        Ok(_) => println!("non-blocking accept: a connection?"),
    }
    listener.set_nonblocking(false).expect("set_nonblocking(false)");
    println!("ready");
    let mut served = 0;
    for stream in listener.incoming() {
        let mut stream = match stream {
            Ok(s) => s,
            Err(e) => {
                eprintln!("accept: {e}");
                continue;
            }
        };
        let mut request = Vec::new();
        let mut chunk = [0u8; 4096];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => request.extend_from_slice(&chunk[..n]),
                Err(e) => {
                    eprintln!("read: {e}");
                    break;
                }
            }
        }
        let head = String::from_utf8_lossy(&request);
        let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
        let body = format!("Hello from Rust on wasm32-wasi! You asked for {path}\n");
        let answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        if let Err(e) = stream.write_all(answer.as_bytes()) {
            eprintln!("write: {e}");
        }
        drop(stream);
        served += 1;
        if served >= limit || path == "/exit" {
            break;
        }
    }
    println!("served {served}");
}
