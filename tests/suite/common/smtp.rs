//! A real SMTP server for tests and the chaos run (`examples/chaos.rs` includes this file):
//! the `mailin` crate speaks the protocol; this file only carries its lines over TCP.
//! (`mailin-embedded` would do that too, but it brings rustls with other features than the
//! shop's, and so a second build of most dependencies for the tests alone.)

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// Every message received, whole (headers and body), in the order they arrived.
pub type Mailbox = Arc<Mutex<Vec<Vec<u8>>>>;

/// Collects the message of one connection and files it in the mailbox when it ends.
struct Sink {
    mailbox: Mailbox,
    current: Vec<u8>,
}

impl mailin::Handler for Sink {
    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }
    fn data_end(&mut self) -> mailin::Response {
        self.mailbox.lock().unwrap().push(std::mem::take(&mut self.current));
        mailin::response::OK
    }
}

/// An SMTP server on a free local port, one thread per connection, for the life of the
/// test process.
pub fn start_smtp_sink() -> (u16, Mailbox) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mailbox = Mailbox::default();
    let filed = mailbox.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let sink = Sink { mailbox: filed.clone(), current: Vec::new() };
            std::thread::spawn(move || {
                // A client that goes away mid-conversation only ends its own session.
                let _ = converse(stream, sink);
            });
        }
    });
    (port, mailbox)
}

fn converse(stream: TcpStream, sink: Sink) -> std::io::Result<()> {
    let mut session = mailin::SessionBuilder::new("test-smtp").build(stream.peer_addr()?.ip(), sink);
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    // Each reply goes out in one write: written in pieces, its last piece would wait for
    // the client's delayed ACK (Nagle), up to 40 ms a reply.
    let reply = |writer: &mut TcpStream, response: &mailin::Response| writer.write_all(&response.buffer()?);
    reply(&mut writer, &session.greeting())?;
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let response = session.process(&line);
        match response.action {
            mailin::Action::NoReply => continue,
            mailin::Action::Reply => reply(&mut writer, &response)?,
            // No STARTTLS is offered, so an upgrade is never asked for.
            mailin::Action::Close | mailin::Action::UpgradeTls => return reply(&mut writer, &response),
        }
    }
}
