"""The use cases every front end calls: the CLI's commands, the Python API, the terminal app.

One module per use case. Each function takes settings or a configuration path (plus the
options of the operation) and returns typed data; none prints, prompts by itself or exits
(a secret source set to ``--password-prompt`` still asks on the terminal when it is read).
Configuration problems are ``ConfigError``; SMTP outcomes are results, never exceptions.

    config      load(path, overrides=...) -> Settings; open_store(path) -> ConfigStore
    check       run_check(path) -> CheckReport (config, properties, templates, S/MIME)
    plan        effective_plan(settings) -> Plan; describe_plan(plan) -> PlanDescription
    properties  prepare_import(text, ...) -> ImportPreview; export_properties(settings)
    presets     list_presets() -> PresetCatalog; prepare_preset(id) -> PresetApplication
    send_test   prepare_test_send(settings, to=..., event=...) -> PreparedTestSend
    probe       prepare_probe(settings, rcpt=..., save_cert=...) -> PreparedProbe
    send        check_sending(settings) -> Plan; send_notification(settings, event, to, ...)
                -> SendOutcome; prepare_batch(path, results=...) -> PreparedBatch
    sandbox     sandbox_for_run(overrides) -> SandboxInfo (context); sandbox_demo() -> SandboxDemo
    sendmail    prepare_sendmail(settings, recipients=..., envelope_from=...) -> PreparedSendmail
    smime       smime_info(settings) -> SmimeInfo; smime_recipients(settings, addresses)

Layering: domain packages (config, javamail, smtp, mail, events, outbox, sandbox) know
nothing of this package; services import them; commands, api and tui import services.
"""
