"""Make tests/fixtures.py importable as ``fixtures`` without turning tests/ into a package."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import pytest

# The slow tiers (real ffmpeg encodes, the hot folder's watcher threads, a Dask cluster, a browser):
# `pytest -m "not slow"` leaves them out and runs in well under a minute.
SLOW_MODULES = {"test_video", "test_video_batch", "test_watch", "test_dask"}
# Single tests of the other modules that take a second or more (24 MP decodes, subprocesses with time
# limits, whole batches run twice): they run in the full suite, not in the fast tier.
SLOW_TESTS = {
    "test_api::test_two_photo_front_ends_give_the_same_findings_and_crop",
    "test_library_script::test_readme_library_example_runs_as_a_plain_script",
    "test_hostile::test_corrupted_files_never_break_the_batch",
    "test_pipeline::test_24mp_jpeg_is_decoded_with_dct_scaling",
    "test_pipeline::test_outputs_have_exactly_the_slot_size",
    "test_batch::test_terminated_run_leaves_no_partial_files_and_rerun_finishes",
    "test_batch::test_rerun_skips_up_to_date_and_force_redoes",
    "test_batch::test_up_to_date_rerun_and_one_job_start_no_pool",
    "test_batch::test_several_slots_decode_each_source_once",
    "test_faces::test_small_faces_beside_larger_ones_are_found_on_a_second_pass",
    "test_report_writer::test_streamed_report_equals_the_built_one_and_keeps_only_failures_in_memory",
    "test_report_writer::test_streamed_cards_come_out_in_path_order",
    "test_metadata::test_check_and_prepare_with_a_1mb_xmp_packet_finish_within_a_time_limit",
    "test_metadata::test_a_1mb_xmp_packet_is_decided_well_under_a_second",
    "test_api::test_check_accepts_bytes_file_objects_and_pil_images",
    "test_api::test_preview_takes_the_options_prepare_takes",
    "test_smart_pipeline::test_preview_draws_safe_areas_and_circle",
    "test_smart_pipeline::test_channel_art_puts_the_subject_inside_the_always_visible_band",
    "test_hostile_scan::test_fifo_and_device_links_are_skipped_without_reading_them",
    "test_hostile_formats::test_pillows_own_cap_does_not_refuse_what_max_pixels_allows",
    "test_report_writer::test_a_full_disk_is_a_clear_error_naming_the_report_and_outputs_stay",
    "test_report_writer::test_a_spool_that_fills_up_mid_batch_does_not_stop_the_batch",
    "test_pipeline::test_every_output_carries_its_plan_summary",
    "test_pipeline::test_byte_limit_holds_on_noise",
    "test_pipeline::test_the_engine_imports_no_front_end",
    "test_cli::test_progress_total_counts_files_not_outputs_inside_the_input_folder",
    "test_faces::test_small_faces_in_a_group_are_found",
    "test_report::test_html_escapes_names_and_draws_safe_areas",
    "test_smart_pipeline::test_check_and_dry_run_plan_the_crop_prepare_makes",
    "test_hostile_formats::test_a_tiff_over_the_memory_budget_is_banded_or_names_the_max_pixels_that_allows_it",
    "test_hostile_formats::test_check_of_a_jpeg_that_needs_no_pixels_decodes_none_and_still_finds_a_cut",
}


def pytest_collection_modifyitems(items):
    for item in items:
        name = item.module.__name__
        test = f"{name}::{getattr(item, 'originalname', item.name)}"
        if (name in SLOW_MODULES or name.startswith("test_video") or test in SLOW_TESTS
                or item.get_closest_marker("browser")):
            item.add_marker(pytest.mark.slow)


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: real encodes, watchers, clusters or a browser (left out by -m 'not slow')")
    config.addinivalue_line("markers", "browser: drives a real Chromium")
