#ifndef SPEND_RECON_CLIBPQ_SHIM_H
#define SPEND_RECON_CLIBPQ_SHIM_H

#include <libpq-fe.h>

/* The PG_DIAG_* macros are character literals, which Swift does not import.
   Re-export the ones the Swift layer reads as plain int constants. */
static const int SR_PG_DIAG_SEVERITY = PG_DIAG_SEVERITY_NONLOCALIZED;
static const int SR_PG_DIAG_SQLSTATE = PG_DIAG_SQLSTATE;
static const int SR_PG_DIAG_MESSAGE_PRIMARY = PG_DIAG_MESSAGE_PRIMARY;
static const int SR_PG_DIAG_MESSAGE_DETAIL = PG_DIAG_MESSAGE_DETAIL;
static const int SR_PG_DIAG_MESSAGE_HINT = PG_DIAG_MESSAGE_HINT;
static const int SR_PG_DIAG_STATEMENT_POSITION = PG_DIAG_STATEMENT_POSITION;
static const int SR_PG_DIAG_INTERNAL_QUERY = PG_DIAG_INTERNAL_QUERY;
static const int SR_PG_DIAG_CONTEXT = PG_DIAG_CONTEXT;
static const int SR_PG_DIAG_SCHEMA_NAME = PG_DIAG_SCHEMA_NAME;
static const int SR_PG_DIAG_TABLE_NAME = PG_DIAG_TABLE_NAME;
static const int SR_PG_DIAG_COLUMN_NAME = PG_DIAG_COLUMN_NAME;
static const int SR_PG_DIAG_DATATYPE_NAME = PG_DIAG_DATATYPE_NAME;
static const int SR_PG_DIAG_CONSTRAINT_NAME = PG_DIAG_CONSTRAINT_NAME;

#endif
