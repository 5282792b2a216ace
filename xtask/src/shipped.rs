//! What shipped: the SHA-256 of every file a learner must not change, and
//! the tests of each spec, in the spec's order.
//!
//! Written by `cargo xtask manifest` from the workshop's own files; a tidy
//! test (`xtask/tests/tidy.rs`) fails when it is out of date. Do not edit
//! it by hand: change the spec, then run `cargo xtask manifest`.

use crate::manifest::Test;

/// Each protected file, relative to the workspace root, and its SHA-256.
#[rustfmt::skip]
pub const FILES: &[(&str, &str)] = &[
    (".cargo/config.toml", "251f33815688d5aeb8cb15cbfd8b36749994615d42a4a8447fd9c34c066d1d77"),
    ("crates/leak-detection/Cargo.toml", "5c75a61b4854f2706634868a84a9b762df0ffc805f84fb7c6776ada831c86679"),
    ("crates/leak-detection/src/classic.rs", "ee8f53b299e8100240608676df6f930d4db06ba62cb674197280bfd3d18b2f58"),
    ("crates/leak-detection/src/lib.rs", "a549a8d7d0ee40cb6d585c1d1abc1bf89508ae7e3979fcf310329d7bf0087120"),
    ("crates/leak-detection/src/monitor.rs", "c093b620e5b0997cc74674976535bdf3d80d1ee858a980862e4ea7bf72c059a7"),
    ("crates/leak-detection/src/tasks.rs", "6b996d9dc35dc39dc887f234c51de1c20b6db16bc58d6c5212b372f7bbc0275f"),
    ("crates/leak-detection/src/threads.rs", "65432a18a9891c51f8595e0869d3ad973e8b266a4c1ea10d2d281cea219b5a90"),
    ("crates/test-kit/Cargo.toml", "36e3fd793f6e2d94ae657504a055642d9c8d912f1feaf0a8653d80b7155dd689"),
    ("crates/test-kit/src/deadline.rs", "fe020eb2e51123e623fe6341e236a2582e83e6e50393dd31fca104a0fa26bec8"),
    ("crates/test-kit/src/lib.rs", "5f7b1f59d0fa72c0f0a03679e395d25df94e5e51cbb0b4f7cd2feae7eed05e27"),
    ("crates/test-kit/src/panics.rs", "a0f297af2ea25910a2fdb6174cc7d4e7bf46c492ff79f9a3e4354b50adeff962"),
    ("crates/test-kit/src/server.rs", "41fe661eeb14e8edbb0750f5669e28f8506554e2fe14139c5ee447d0142bf61e"),
    ("crates/thread-states/Cargo.toml", "c7a729cec6a44010cee571c4fa550b52c42b40f33ea3f45a3babf6c26509a950"),
    ("crates/thread-states/src/lib.rs", "b1483650a6a60cf7e8b7a3c1ccefaf48bdbe720a83598b2706ccd0f9eac39ba9"),
    ("exercises/downloader/tests/spec.rs", "cb9831461c9678ae3960ea84ebdba2b15796b16540c83d94b64032b3f49fb724"),
    ("exercises/prime-pipeline/tests/spec.rs", "29edbadd82f8edc6b05d42fd486ff60f7d9a645289560279dedec994b1847c89"),
    ("exercises/pubsub/tests/spec.rs", "a33bfae7c3caf927dba5a177fbc440066400b58dc8fc9ec3f62f3de48017224f"),
    ("solutions/downloader/tests/spec.rs", "5cc4f1aa231e28f8e94bc13ff42b3fbcf6f600bf39c94a1e5d2cccac47fbc609"),
    ("solutions/prime-pipeline/tests/spec.rs", "66176c250ddac142c3bf5dd7025dcb4fc3de2c03960c7db794f4d47ab3c0d0ec"),
    ("solutions/pubsub/tests/spec.rs", "5617b0e6639eadc5533d9f71cb2dc2128a13b18e96acf3e37171b4f259780d75"),
    ("specs/downloader/snapshots/each_failure_for_its_own_url.snap", "021100c534f264d6ea6991457dd83e1f795a9262641e83cfb074b6e641073d56"),
    ("specs/downloader/snapshots/in_input_order.snap", "d88cb00b2b458f2c35b08d834a93c4676acdc2bef83168041490543fc461e75b"),
    ("specs/downloader/spec.rs", "7b6947e42fd21c1d37139e747abb64d290fb753000cc09fdae3ddf30ccbfabf9"),
    ("specs/downloader/starter/Cargo.toml", "2616d0b3fcd57d49f0bc68a820e3b799458c6659d80f2f968605e33de3942559"),
    ("specs/downloader/starter/src/lib.rs", "b6daeafb883a4d8a7b607064a6d928850dc6c5e164819c5484584432d438b69f"),
    ("specs/prime-pipeline/snapshots/prime_squares_0_to_100.snap", "1f2b79895895eaf5dd664fd1a026c302ad74a063b2c4acd0c73701cec226b603"),
    ("specs/prime-pipeline/spec.rs", "ec2292efd0b4c794791f2d15f65d714fe4dadc0e517cc466871c9fb858842bc6"),
    ("specs/prime-pipeline/starter/Cargo.toml", "3effb4a5b13ad9fcb84e48e1ab1013c9e23e2c5caf7615bd43e4795a08b48fbb"),
    ("specs/prime-pipeline/starter/src/lib.rs", "14cde86bb314646e8db9fd2abafaa54aee02a6459e9ec535b36a92c63be15f24"),
    ("specs/pubsub/snapshots/topics_are_isolated.snap", "9d3a77b89f70f6f160a9c8abb329def463011287a61c0f14205f9875d7ec519c"),
    ("specs/pubsub/spec.rs", "ebb0a40632889ae0cc0d5f90a86ca3f907eb8a435a511e7d3734fc9bb0c08bbf"),
    ("specs/pubsub/starter/Cargo.toml", "9b7fcb80caf6dde82a7f001c6ecb82ad7277e4d36072930b4ee2f9a3383f659e"),
    ("specs/pubsub/starter/src/lib.rs", "9f8f166f8c7df3f83ee405ec4d370285e2925d97b0acc1d0634632c52634b41c"),
];

/// The tests of each exercise's spec, in the spec's order.
#[rustfmt::skip]
pub const TESTS: &[(&str, &[Test])] = &[
    ("downloader", &[
        Test { name: "returns_one_result_per_url_in_input_order", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "never_exceeds_the_limit_and_reaches_it", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "a_limit_of_one_downloads_one_at_a_time", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "a_limit_above_the_number_of_urls_is_fine", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "a_limit_of_zero_is_rejected_with_a_clear_error", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "an_empty_list_returns_at_once", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "each_failure_is_reported_for_its_own_url", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "a_failure_does_not_stop_the_downloads_after_it", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "a_url_that_never_answers_does_not_hold_up_the_others", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "no_task_outlives_the_call", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "dropping_the_future_cancels_the_downloads_in_flight", when_it_times_out: "", scheduling_sensitive: false },
    ]),
    ("prime-pipeline", &[
        Test { name: "prime_squares_come_out_in_order", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "zero_and_one_are_not_prime", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "generate_sends_the_whole_range_in_order", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "a_range_that_ends_at_u64_max_works", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "squares_never_overflow", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "stages_compose_with_channels_you_own", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "each_stage_runs_on_its_own_thread", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "every_stage_returns_a_bounded_channel", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "a_slow_consumer_keeps_memory_bounded", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "cancel_stops_stages_blocked_on_a_full_channel", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "cancel_stops_stages_blocked_on_an_empty_channel", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "cancel_ends_a_consumer_looping_over_the_output", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "cancellation_is_not_ignored", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "an_already_cancelled_pipeline_ends_at_once", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "dropping_the_output_stops_every_stage", when_it_times_out: "", scheduling_sensitive: false },
    ]),
    ("pubsub", &[
        Test { name: "a_broker_can_be_shared_between_tasks", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "every_subscriber_gets_every_message_in_order", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "topics_are_isolated", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "a_late_subscriber_sees_nothing_older", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "publishing_to_a_topic_nobody_listens_to_returns_0", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "a_slow_subscriber_loses_nothing", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "a_dropped_subscriber_never_blocks_a_publisher", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "dropping_a_subscriber_releases_a_publisher_waiting_for_it", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "all_subscribers_see_the_same_order_with_concurrent_publishers", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "close_lets_subscribers_drain_then_ends_them", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "after_close_publish_returns_0_and_subscribe_ends_at_once", when_it_times_out: "", scheduling_sensitive: false },
        Test { name: "nothing_outlives_the_broker", when_it_times_out: "", scheduling_sensitive: false },
    ]),
];
