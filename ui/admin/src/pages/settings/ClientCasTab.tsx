/**
 * The CAs whose device certificates the selected tenant trusts (its `trustedClientCas`
 * setting): each shown by its certificates' SHA-256 fingerprints; admins add PEM text and
 * remove entries. The server checks what is added (CA certificates only, no look-alikes).
 */
import { Alert, Button, Code, Group, Paper, Stack, Table, Text, Textarea } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { isAdmin } from "../../api/session.ts";
import { usePrincipal } from "../../app/principal.tsx";
import { useTenant } from "../../app/tenant.tsx";
import { ConfirmButton, EmptyState, ErrorAlert, Loading } from "../../components/index.ts";
import { useTenantPatch } from "./tenant_queries.ts";

const BLOCK = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
const HAS_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/;

/** The SHA-256 fingerprints (AA:BB:…) of the PEM's certificates; empty where WebCrypto is unavailable. */
async function fingerprints(pem: string): Promise<string[]> {
  const out: string[] = [];
  for (const match of pem.matchAll(BLOCK)) {
    const der = Uint8Array.from(atob((match[1] ?? "").replace(/\s+/g, "")), (c) => c.charCodeAt(0));
    if (crypto.subtle === undefined) continue;
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", der));
    out.push(Array.from(digest, (b) => b.toString(16).padStart(2, "0").toUpperCase()).join(":"));
  }
  return out;
}

function Fingerprints(props: { pem: string }) {
  const prints = useQuery({
    queryKey: ["pem-fingerprints", props.pem],
    queryFn: () => fingerprints(props.pem),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const count = [...props.pem.matchAll(BLOCK)].length;
  return (
    <Stack gap={2}>
      <Text size="sm">
        {count} {count === 1 ? "certificate" : "certificates"}
      </Text>
      {(prints.data ?? []).map((f) => (
        <Code key={f} style={{ overflowWrap: "anywhere" }}>
          SHA-256 {f}
        </Code>
      ))}
    </Stack>
  );
}

export function ClientCasTab() {
  const principal = usePrincipal();
  const { current } = useTenant();
  const patch = useTenantPatch("Trusted CAs saved");
  const [pem, setPem] = useState("");
  const admin = isAdmin(principal);
  if (current === undefined) return <Loading rows={3} label="Loading the tenant" />;
  const cas = current.settings.trustedClientCas;
  const save = (next: string[], after?: () => void) =>
    patch.mutate(
      { id: current.id, patch: { settings: { trustedClientCas: next } } },
      { onSuccess: after },
    );
  return (
    <Stack>
      <Text size="sm" c="dimmed">
        Device certificates of tenant {current.name} are trusted when they chain to one of these CAs
        (as well as to the installation's own device CA).
        {current.settings.requireClientCert
          ? " The tenant requires a client certificate."
          : " The tenant does not require client certificates (see Tenants)."}
      </Text>
      {cas.length === 0 ? (
        <EmptyState title="No trusted client CAs">
          {admin
            ? "Paste the PEM of the CA that issued your units' certificates (e.g. the manufacturer's) to trust it."
            : "Only the installation's own device CA is trusted."}
        </EmptyState>
      ) : (
        <Table aria-label="Trusted client CAs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>CA</Table.Th>
              {admin ? <Table.Th>Actions</Table.Th> : null}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {cas.map((ca, index) => (
              <Table.Tr key={ca}>
                <Table.Td>
                  <Fingerprints pem={ca} />
                </Table.Td>
                {admin ? (
                  <Table.Td>
                    <ConfirmButton
                      title="Stop trusting this CA?"
                      message="Devices whose certificates chain only to it are refused where certificates are required."
                      confirmLabel="Remove CA"
                      aria-label={`Remove CA ${index + 1}`}
                      loading={patch.isPending}
                      onConfirm={() => save(cas.filter((c) => c !== ca))}
                    >
                      Remove
                    </ConfirmButton>
                  </Table.Td>
                ) : null}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {patch.isError ? <ErrorAlert error={patch.error} title="Not saved" /> : null}
      {admin ? (
        <Paper withBorder p="md" radius="md">
          <Stack gap="sm">
            <Textarea
              label="Add a CA (PEM)"
              placeholder={"-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----"}
              autosize
              minRows={4}
              maxRows={12}
              value={pem}
              onChange={(e) => setPem(e.currentTarget.value)}
              styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
            />
            {pem.trim() !== "" && !HAS_BLOCK.test(pem) ? (
              <Alert color="yellow">No -----BEGIN CERTIFICATE----- block in this text.</Alert>
            ) : null}
            <Group justify="flex-end">
              <Button
                disabled={pem.trim() === "" || cas.length >= 32}
                loading={patch.isPending}
                onClick={() => save([...cas, pem.trim()], () => setPem(""))}
              >
                Trust this CA
              </Button>
            </Group>
          </Stack>
        </Paper>
      ) : null}
    </Stack>
  );
}
