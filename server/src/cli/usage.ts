// The CLI's help texts: one line per option, and the one-line hint after a usage error.

export const USAGE = `Usage:
  rails-hazards check [PATH...] [options]   analyse Rails apps (run "rails-hazards check --help" for the options)
  rails-hazards lsp --stdio                 start the language server (or --node-ipc); editors start it this way
  rails-hazards --version                   print the version
  rails-hazards --help                      print this help`;

export const CHECK_HELP = `Usage: rails-hazards check [PATH...] [options]

Analyses the Rails apps at or under each PATH (default: the current directory).

Options:
  --format FORMAT    text (default), json, sarif (code scanning) or github (GitHub Actions annotations)
  --fail-on LEVEL    exit 1 when a finding is at or above error, warning (default), info or hint; never: always 0
  --config FILE      read this configuration instead of each app's .rails-hazards.yml
  --base GIT-REF     base branch: Gemfile.lock is compared with it; migrations already in it are skipped as deployed
  --all-migrations   check deployed migrations too (audit mode; also migrations: { audit: true })
  --no-color         no colour in text output (also NO_COLOR=1; FORCE_COLOR=1 forces colour)
  --no-cache         analyse everything; without it a check whose inputs are unchanged reuses the last report,
                     and files unchanged since an earlier check are read from their stored summaries
  -h, --help         print this help

The result cache lives in ~/.cache/rails-hazards (or $XDG_CACHE_HOME, ~/Library/Caches, %LOCALAPPDATA%;
RAILS_HAZARDS_CACHE_DIR overrides); an entry is reused only when every file, folder listing and git answer the
analysis read, the options and the tool build are unchanged.

Exit status: 0 no finding at or above --fail-on, 1 otherwise, 2 on a usage error or a PATH without a Rails app.`;

export const CHECK_HINT = 'Run "rails-hazards check --help" for the options.';
export const MAIN_HINT = 'Run "rails-hazards --help" for the commands.';

export const LSP_NEEDS_TRANSPORT = 'rails-hazards lsp needs a transport: --stdio (most editors) or --node-ipc (VS Code starts it this way).';
