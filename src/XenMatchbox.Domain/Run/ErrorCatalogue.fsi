/// Every XMB code in one list, for the operator's documentation: README.md's "## Errors" table and
/// the ERRORS and EXIT STATUS sections of xenmatchbox(1) are rendered from it, so they cannot
/// drift apart. Each entry is built from samples of the error's own cases (placeholders in capitals
/// where a run fills in a path, URL or detail), so its code, exit status and fix are what the
/// program says; only "what failed", a summary over every case of the code, is written here.
module XenMatchbox.Domain.ErrorCatalogue

/// One code as the documentation lists it.
type Entry =
    {
        /// The stable code, e.g. "XMB-201".
        Code: string
        /// The exit status a run that fails with it ends with (Errors.exitCode).
        Status: int
        /// What the stage of the code failed at, in the operator's words.
        Stage: string
        /// What failed, a summary over every case of the code, in Markdown.
        Failed: string
        /// What to do about it, as the program says it (several variants joined by "; or ").
        Fix: string
    }

/// Every code in order, XMB-900 last.
val entries: Entry list

/// Every exit status an error ends a run with, in order, each with its codes and its stage:
/// (3, "XMB-201 to XMB-214: the lookup at matchbox failed").
val exitStatuses: (int * string) list

/// README.md's error table: "| exit | code | what failed |", a row per entry.
val markdownTable: string
