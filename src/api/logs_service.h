// CloudWatch Logs operations (awsJson 1.1, Logs_20140328): log groups, retention, KMS
// association, tags, streams, events (PutLogEvents, GetLogEvents, FilterLogEvents), metric
// filters, TestMetricFilter and account resource policies. Each operation is declared with its
// IAM action (logs:<Operation>), the ARN it acts on (the log group's, or the stream's for
// CreateLogStream, DeleteLogStream, PutLogEvents and GetLogEvents) and its condition keys
// (aws:RequestTag/*, aws:TagKeys, aws:ResourceTag/*). docs/logs.md.
#pragma once

#include "api/operation.h"
#include "logs/log_store.h"

namespace kiroku::api {

// `store` must outlive the table.
void AddLogsOperations(OperationTable& table, logs::LogStore& store);

}  // namespace kiroku::api
