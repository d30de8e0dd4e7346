/**
 * Bulk import: a CSV file sent to the API as it is, then the import's operation polled until it
 * ends — rows done of the file's rows, the rows refused with their line numbers, the result.
 */
import {
  Alert,
  Button,
  FileInput,
  Group,
  Modal,
  Progress,
  Stack,
  Table,
  Text,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client.ts";
import type { Operation } from "../../api/types.ts";
import { useTenant } from "../../app/tenant.tsx";
import { ErrorAlert, formatCount } from "../../components/index.ts";

const rowsRefused = (n: number) => `${formatCount(n)} ${n === 1 ? "row" : "rows"} refused`;

/** Data rows in a CSV text: non-empty lines after the header (quoted newlines are rare in MAC lists). */
function dataRows(text: string): number {
  return Math.max(0, text.split(/\r?\n/).filter((line) => line.trim() !== "").length - 1);
}

export function ImportDialog(props: { opened: boolean; onClose: () => void }) {
  const { tenant } = useTenant();
  const client = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [rows, setRows] = useState(0);
  const [operationId, setOperationId] = useState<string | null>(null);

  const start = useMutation({
    mutationFn: async (chosen: File) => {
      const text = await chosen.text();
      setRows(dataRows(text));
      return api<{ operation: Operation }>("/api/v1/devices/import", {
        method: "POST",
        query: { tenant },
        body: text,
        contentType: "text/csv",
      });
    },
    onSuccess: (body) => setOperationId(body.operation.id),
  });

  const operation = useQuery({
    queryKey: ["operations", operationId],
    queryFn: async () => {
      const op = await api<Operation>(`/api/v1/operations/${operationId}`);
      if (op.status !== "running") finishedImport(op);
      return op;
    },
    enabled: operationId !== null,
    refetchInterval: (query) => (query.state.data?.status === "running" ? 500 : false),
  });
  const op = operation.data;
  const finished = op !== undefined && op.status !== "running";

  /** Once, when the polled operation is seen finished (polling stops then). */
  function finishedImport(op: Operation) {
    void client.invalidateQueries({ queryKey: ["devices"] });
    void client.invalidateQueries({ queryKey: ["dashboard"] });
    if (op.status === "succeeded") {
      notifications.show({
        color: "green",
        title: "Import finished",
        message: `${formatCount(op.progress.committed)} devices imported, ${rowsRefused(op.progress.rejected)}`,
      });
    }
  }

  const close = () => {
    setFile(null);
    setOperationId(null);
    setRows(0);
    start.reset();
    props.onClose();
  };

  const done = op === undefined ? 0 : op.progress.committed + op.progress.rejected;
  const total = Math.max(rows, done);
  const percent = total === 0 ? (finished ? 100 : 0) : Math.round((done / total) * 100);

  return (
    <Modal opened={props.opened} onClose={close} title="Import devices from CSV" size="lg">
      <Stack>
        <Text size="sm">
          A header row, then one device per row. Columns: <code>mac</code> (required),{" "}
          <code>model</code>, <code>serial</code>, <code>account</code> (reference),{" "}
          <code>group</code> (name), <code>label</code>, in any order. A row updates the device when
          its MAC exists; an empty cell keeps the current value. The accounts and groups a row names
          must exist.
        </Text>
        <FileInput
          label="CSV file"
          placeholder="Choose a .csv file"
          accept=".csv,text/csv"
          value={file}
          onChange={setFile}
          disabled={operationId !== null}
        />
        {start.isError ? <ErrorAlert error={start.error} title="The import was refused" /> : null}
        {operation.isError ? <ErrorAlert error={operation.error} /> : null}
        {operationId === null ? null : (
          <Stack gap={4}>
            <Group justify="space-between">
              <Text size="sm" fw={500}>
                {finished ? "Finished" : "Importing…"}
              </Text>
              <Text size="sm" aria-live="polite">
                {formatCount(done)} of {formatCount(total)} rows
              </Text>
            </Group>
            <Progress
              value={percent}
              animated={!finished}
              aria-label="Import progress"
              color={op?.status === "failed" ? "red" : undefined}
            />
          </Stack>
        )}
        {finished ? <ImportResult operation={op} /> : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            {finished ? "Close" : "Cancel"}
          </Button>
          {operationId === null ? (
            <Button
              disabled={file === null}
              loading={start.isPending}
              onClick={() => file !== null && start.mutate(file)}
            >
              Import
            </Button>
          ) : null}
        </Group>
      </Stack>
    </Modal>
  );
}

const SHOWN_ERRORS = 50;

function ImportResult(props: { operation: Operation }) {
  const op = props.operation;
  return (
    <Stack gap="xs">
      {op.status === "failed" ? (
        <Alert color="red" title="The import stopped" role="alert">
          {op.error?.message ?? "the server gave no reason"} — rows before line{" "}
          {op.progress.lastCommittedLine ?? 1} were kept.
        </Alert>
      ) : (
        <Alert title="Import finished">
          {formatCount(op.progress.committed)} devices imported or updated
          {op.progress.rejected === 0
            ? "."
            : `, ${formatCount(op.progress.rejected)} rows refused.`}
        </Alert>
      )}
      {op.errors.length === 0 ? null : (
        <Table>
          <Table.Caption>
            Refused rows{op.errors.length > SHOWN_ERRORS ? ` (the first ${SHOWN_ERRORS})` : ""}
          </Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Line</Table.Th>
              <Table.Th>Why</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {op.errors.slice(0, SHOWN_ERRORS).map((e) => (
              <Table.Tr key={`${e.line}-${e.code}`}>
                <Table.Td>{e.line}</Table.Td>
                <Table.Td>{e.message}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
