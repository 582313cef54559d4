//! The composition root: builds the state once, assembles every router, runs the server
//! and the workers, and holds the command line. The only room that knows all the others;
//! nothing imports it.

pub mod assets;
pub mod cli;
pub mod server;
pub mod telemetry;
