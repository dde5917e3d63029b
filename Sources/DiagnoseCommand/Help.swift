extension Command {
    static let help = """
    diagnose: what a data-synchronization error means and what to do about it

    USAGE
      diagnose [OPTIONS] "error text"        diagnose one message
      diagnose [OPTIONS] --file PATH         diagnose a file's text
      some-command | diagnose [OPTIONS]      diagnose standard input
      diagnose rules list                    list the loaded rules
      diagnose rules show ID                 show one rule in readable form
      diagnose rules explain ID ["text"]     why a rule does or does not match the text
      diagnose rules test [DIR...]           check every rule's examples

    OPTIONS
      --format text|markdown|json   output for a terminal, a support ticket, or a tool (default text)
      --rules DIR                   also load the rules in DIR (repeatable); a rule with a
                                    built-in rule's id replaces it
      --disable ID                  leave out the rule ID (repeatable)
      --no-builtin                  use only the rules from --rules and SYNCDIAGNOSIS_RULES
      --file PATH                   read the text from PATH
      --each-line                   diagnose every record of a log or export and group them by rule
      --no-redact                   show secrets (tokens, passwords, keys) instead of masking them
      --max-bytes N                 examine at most N bytes of the input (default 4194304)
      --color auto|always|never     colour the text output (auto: only on a terminal, unless NO_COLOR is set)
      --no-color                    same as --color never
      -h, --help                    show this help
      --version                     show the version

    ENVIRONMENT
      SYNCDIAGNOSIS_RULES   a colon-separated list of rule folders, loaded before --rules
      NO_COLOR              when set, no colour

    EXIT STATUS
      0  a rule matched (rules test: every example passed)
      1  no rule matched (rules test: an example failed)
      2  a usage error, unreadable input, or rules that failed to load

    """
}
