/**
 * What an SQLite database file looks like, for the checks of the harness and of the host.
 */

/** The first 16 bytes of every SQLite database file, as Latin-1 text. */
export const SQLITE_HEADER = 'SQLite format 3\u0000';
