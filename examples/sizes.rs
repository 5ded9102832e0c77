//! Prints the sizes that matter for an embedded host: the engine with default
//! capacities, one `Effect`, and one step's `Effects` container.
//!
//! `cargo run --example sizes`

use callkit_engine::limits::DEFAULT_MAX_EFFECTS;
use callkit_engine::{Call, CallUpdate, Config, Effect, Effects, Engine};

fn main() {
    let rows = [
        ("Engine (4 calls, 8 pushes)", core::mem::size_of::<Engine>()),
        (
            "Effects<DEFAULT_MAX_EFFECTS> (one step)",
            core::mem::size_of::<Effects<DEFAULT_MAX_EFFECTS>>(),
        ),
        ("Effect", core::mem::size_of::<Effect>()),
        ("Call (one slot)", core::mem::size_of::<Call>()),
        ("CallUpdate", core::mem::size_of::<CallUpdate>()),
        ("Config", core::mem::size_of::<Config>()),
    ];
    for (what, bytes) in rows {
        println!("{bytes:>6} bytes  {what}");
    }
}
