//! What shipped: the SHA-256 of every file a learner must not change, and
//! the tests of each spec, in the spec's order.
//!
//! Written by `cargo xtask manifest` from the workshop's own files; a tidy
//! test (`xtask/tests/tidy.rs`) fails when it is out of date. Do not edit
//! it by hand: change the spec, then run `cargo xtask manifest`.

/// Each protected file, relative to the workspace root, and its SHA-256.
#[rustfmt::skip]
pub const FILES: &[(&str, &str)] = &[
    (".cargo/config.toml", "251f33815688d5aeb8cb15cbfd8b36749994615d42a4a8447fd9c34c066d1d77"),
    ("crates/leak-detection/Cargo.toml", "5c75a61b4854f2706634868a84a9b762df0ffc805f84fb7c6776ada831c86679"),
    ("crates/leak-detection/src/classic.rs", "f8ba8f2d95d56fb655fc2f2c20182ce21fc673cc019da581fa5abd123de746ab"),
    ("crates/leak-detection/src/lib.rs", "405ecb372a4dd64cb45b3b265524e09190ab4138d215ddb9e660ee1b53f50836"),
    ("crates/leak-detection/src/monitor.rs", "c093b620e5b0997cc74674976535bdf3d80d1ee858a980862e4ea7bf72c059a7"),
    ("crates/leak-detection/src/tasks.rs", "6a14de7465778ad90418a752c9d96b8e67843cc4497ba13cd20e6e355fdd84e2"),
    ("crates/leak-detection/src/threads.rs", "342f998ae2f168f58a47b687cc02742be33ed7ff79de823fa4a4e3c0772fe797"),
    ("crates/test-kit/Cargo.toml", "3d463e739fd90146ad0658d69b25853182ccd790c539e0c13d49a875cfd2d779"),
    ("crates/test-kit/src/deadline.rs", "5b3485f924ab0132edb5fe4309cf7e0006f06f90d7fdb1a979f6e0652e4f7e65"),
    ("crates/test-kit/src/lib.rs", "52ef2feca84090827522e5db13f62090cdf3da51dcc9919e72da8664fe34597c"),
    ("crates/test-kit/src/panics.rs", "a0f297af2ea25910a2fdb6174cc7d4e7bf46c492ff79f9a3e4354b50adeff962"),
    ("crates/test-kit/src/server.rs", "41fe661eeb14e8edbb0750f5669e28f8506554e2fe14139c5ee447d0142bf61e"),
    ("exercises/downloader/tests/spec.rs", "cb9831461c9678ae3960ea84ebdba2b15796b16540c83d94b64032b3f49fb724"),
    ("exercises/parallel-map/tests/spec.rs", "421738f9eeef35327bc466c2d7726c66d5dd8b947f4ee32c8e16d85957dec19e"),
    ("exercises/prime-pipeline/tests/spec.rs", "29edbadd82f8edc6b05d42fd486ff60f7d9a645289560279dedec994b1847c89"),
    ("exercises/pubsub/tests/spec.rs", "a33bfae7c3caf927dba5a177fbc440066400b58dc8fc9ec3f62f3de48017224f"),
    ("solutions/downloader/tests/spec.rs", "5cc4f1aa231e28f8e94bc13ff42b3fbcf6f600bf39c94a1e5d2cccac47fbc609"),
    ("solutions/parallel-map/tests/spec.rs", "1d7f980408f689be9ef735bcd4198ff746f90c53ef1d64d354e007c1cc005907"),
    ("solutions/prime-pipeline/tests/spec.rs", "66176c250ddac142c3bf5dd7025dcb4fc3de2c03960c7db794f4d47ab3c0d0ec"),
    ("solutions/pubsub/tests/spec.rs", "5617b0e6639eadc5533d9f71cb2dc2128a13b18e96acf3e37171b4f259780d75"),
    ("specs/downloader/snapshots/each_failure_for_its_own_url.snap", "021100c534f264d6ea6991457dd83e1f795a9262641e83cfb074b6e641073d56"),
    ("specs/downloader/snapshots/in_input_order.snap", "d88cb00b2b458f2c35b08d834a93c4676acdc2bef83168041490543fc461e75b"),
    ("specs/downloader/spec.rs", "7b6947e42fd21c1d37139e747abb64d290fb753000cc09fdae3ddf30ccbfabf9"),
    ("specs/downloader/starter/Cargo.toml", "2616d0b3fcd57d49f0bc68a820e3b799458c6659d80f2f968605e33de3942559"),
    ("specs/downloader/starter/src/lib.rs", "b6daeafb883a4d8a7b607064a6d928850dc6c5e164819c5484584432d438b69f"),
    ("specs/parallel-map/snapshots/a_panicking_item.snap", "ce071c7c5044e904fd272ef3530c47e871683755c8548218df48636bb0287642"),
    ("specs/parallel-map/snapshots/results_in_input_order.snap", "61f8545c211243d72bcef7cf9abf15e9827974502610a10f0a8ca436aab54ff5"),
    ("specs/parallel-map/spec.rs", "2670dc33a497802f9950e4c2f539d69a526f18af49e238be7f015ca5cc72bf84"),
    ("specs/parallel-map/starter/Cargo.toml", "b12f05484f736fed0eb16c9a7fb28cbf78def68122ac5795c98df7b45af78166"),
    ("specs/parallel-map/starter/src/lib.rs", "c2afd2266c2319c1d34ed2d273c55dffc0fd1e26e29b0636607774dedc9f66a4"),
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
pub const TESTS: &[(&str, &[&str])] = &[
    (
        "parallel-map",
        &[
            "results_come_back_in_input_order",
            "each_item_is_processed_exactly_once",
            "an_empty_input_gives_an_empty_vec",
            "more_workers_than_items_is_fine",
            "zero_workers_is_an_error_not_a_hang",
            "never_more_than_workers_items_at_once",
            "all_workers_are_put_to_work",
            "at_most_workers_threads_do_the_work",
            "a_free_worker_takes_the_next_item",
            "a_panicking_item_fails_alone_with_its_message",
            "a_worker_carries_on_after_a_panic",
        ],
    ),
    (
        "downloader",
        &[
            "returns_one_result_per_url_in_input_order",
            "never_exceeds_the_limit_and_reaches_it",
            "a_limit_of_one_downloads_one_at_a_time",
            "a_limit_above_the_number_of_urls_is_fine",
            "a_limit_of_zero_is_rejected_with_a_clear_error",
            "an_empty_list_returns_at_once",
            "each_failure_is_reported_for_its_own_url",
            "a_failure_does_not_stop_the_downloads_after_it",
            "a_url_that_never_answers_does_not_hold_up_the_others",
            "no_task_outlives_the_call",
            "dropping_the_future_cancels_the_downloads_in_flight",
        ],
    ),
    (
        "prime-pipeline",
        &[
            "prime_squares_come_out_in_order",
            "zero_and_one_are_not_prime",
            "generate_sends_the_whole_range_in_order",
            "a_range_that_ends_at_u64_max_works",
            "squares_never_overflow",
            "stages_compose_with_channels_you_own",
            "each_stage_runs_on_its_own_thread",
            "every_stage_returns_a_bounded_channel",
            "a_slow_consumer_keeps_memory_bounded",
            "cancel_stops_stages_blocked_on_a_full_channel",
            "cancel_stops_stages_blocked_on_an_empty_channel",
            "cancel_ends_a_consumer_looping_over_the_output",
            "cancellation_is_not_ignored",
            "an_already_cancelled_pipeline_ends_at_once",
            "dropping_the_output_stops_every_stage",
        ],
    ),
    (
        "pubsub",
        &[
            "a_broker_can_be_shared_between_tasks",
            "every_subscriber_gets_every_message_in_order",
            "topics_are_isolated",
            "a_late_subscriber_sees_nothing_older",
            "publishing_to_a_topic_nobody_listens_to_returns_0",
            "a_slow_subscriber_loses_nothing",
            "a_dropped_subscriber_never_blocks_a_publisher",
            "dropping_a_subscriber_releases_a_publisher_waiting_for_it",
            "all_subscribers_see_the_same_order_with_concurrent_publishers",
            "close_lets_subscribers_drain_then_ends_them",
            "after_close_publish_returns_0_and_subscribe_ends_at_once",
            "nothing_outlives_the_broker",
        ],
    ),
];
