//! The rules, one file each. Adding one: a file here with its `RULE`, a line in `ALL`, a row in
//! the README's table (a test keeps them equal), and a fixture under
//! `tests/fixtures/doctor/<id>/` that it alone finds.

use super::Rule;

mod allowlist_without_allow_from;
mod anthropic_key_in_openclaw;
mod azure_leftover;
mod config_env_substitution;
mod config_schema;
mod discord_plugin_disabled;
mod docker_cli_missing;
mod gateway_mode_missing;
mod helm_template;
mod invalid_provider_api;
mod legacy_agent_key;
mod legacy_codex_model;
mod litellm_config_path;
mod litellm_memory;
mod litellm_proxy_key;
mod plugin_not_installed;
mod retired_allow_insecure_auth;
mod retired_dm_policy;
mod sandbox_http_blocked;
mod token_in_args;
mod unpinned_image;
mod unreadable_file;

pub const ALL: &[Rule] = &[
    unreadable_file::RULE,
    helm_template::RULE,
    config_schema::RULE,
    legacy_agent_key::RULE,
    invalid_provider_api::RULE,
    gateway_mode_missing::RULE,
    discord_plugin_disabled::RULE,
    retired_allow_insecure_auth::RULE,
    retired_dm_policy::RULE,
    allowlist_without_allow_from::RULE,
    legacy_codex_model::RULE,
    litellm_memory::RULE,
    litellm_config_path::RULE,
    litellm_proxy_key::RULE,
    sandbox_http_blocked::RULE,
    anthropic_key_in_openclaw::RULE,
    unpinned_image::RULE,
    token_in_args::RULE,
    azure_leftover::RULE,
    config_env_substitution::RULE,
    docker_cli_missing::RULE,
    plugin_not_installed::RULE,
];
