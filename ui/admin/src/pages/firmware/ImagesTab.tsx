/** Firmware images of the tenant: upload (checked against its SHA-256), list, remove. */
import {
  Button,
  Code,
  FileInput,
  Group,
  Stack,
  Table,
  Text,
  TextInput,
  VisuallyHidden,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client.ts";
import { canWrite } from "../../api/session.ts";
import { usePrincipal } from "../../app/principal.tsx";
import { useTenant } from "../../app/tenant.tsx";
import {
  ConfirmButton,
  EmptyState,
  ErrorAlert,
  FormModal,
  formatDateTime,
  QueryView,
} from "../../components/index.ts";
import { type FirmwareImage, firmwareKeys, formatBytes, listImages, sha256Hex } from "./model.ts";

export function ImagesTab() {
  const { tenant } = useTenant();
  const client = useQueryClient();
  const writer = canWrite(usePrincipal());
  const [uploading, setUploading] = useState(false);
  const images = useQuery({
    queryKey: firmwareKeys.images(tenant),
    queryFn: () => listImages(tenant),
  });
  const remove = useMutation({
    mutationFn: (image: FirmwareImage) =>
      api(`/api/v1/firmware/${encodeURIComponent(image.id)}`, { method: "DELETE" }),
    onSuccess: (_r, image) => {
      notifications.show({ color: "green", message: `${image.fileName} removed` });
      void client.invalidateQueries({ queryKey: ["firmware", "images"] });
    },
  });
  return (
    <Stack>
      {writer ? (
        <Group justify="flex-end">
          <Button onClick={() => setUploading(true)}>Upload an image</Button>
        </Group>
      ) : null}
      {remove.isError ? <ErrorAlert error={remove.error} title="Not removed" /> : null}
      <QueryView
        query={images}
        loading={{ rows: 3, label: "Loading images" }}
        empty={
          <EmptyState title="No firmware images">
            Upload the vendor's image with the version units report once they run it; units of the
            tenant download it from the device-facing server.
          </EmptyState>
        }
      >
        {(items) => (
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>File</Table.Th>
                <Table.Th>Version</Table.Th>
                <Table.Th>Models</Table.Th>
                <Table.Th>Size</Table.Th>
                <Table.Th>SHA-256</Table.Th>
                <Table.Th>Uploaded</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((image) => (
                <Table.Tr key={image.id}>
                  <Table.Td>{image.fileName}</Table.Td>
                  <Table.Td>{image.version}</Table.Td>
                  <Table.Td>{image.models.join(", ")}</Table.Td>
                  <Table.Td>{formatBytes(image.bytes)}</Table.Td>
                  <Table.Td>
                    <Code title={image.sha256}>{image.sha256.slice(0, 12)}…</Code>
                  </Table.Td>
                  <Table.Td>{formatDateTime(image.createdAt)}</Table.Td>
                  <Table.Td>
                    {writer ? (
                      <ConfirmButton
                        title={`Remove ${image.fileName}?`}
                        message="Units offered this image no longer find it; its file is deleted."
                        confirmLabel="Remove"
                        onConfirm={() => remove.mutate(image)}
                      >
                        Remove
                      </ConfirmButton>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryView>
      <UploadImage opened={uploading} onClose={() => setUploading(false)} />
    </Stack>
  );
}

function UploadImage(props: { opened: boolean; onClose(): void }) {
  const { tenant } = useTenant();
  const client = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [version, setVersion] = useState("");
  const [models, setModels] = useState("");
  const [fileName, setFileName] = useState("");
  const upload = useMutation({
    mutationFn: async () => {
      if (file === null) throw new Error("pick a file");
      const bytes = await file.arrayBuffer();
      return api<FirmwareImage>("/api/v1/firmware", {
        method: "POST",
        query: {
          tenant,
          version: version.trim(),
          models: models.trim(),
          fileName,
          sha256: await sha256Hex(bytes),
        },
        body: bytes,
      });
    },
    onSuccess: (image) => {
      notifications.show({ color: "green", message: `${image.fileName} uploaded` });
      void client.invalidateQueries({ queryKey: ["firmware", "images"] });
      props.onClose();
    },
  });
  return (
    <FormModal
      opened={props.opened}
      onClose={props.onClose}
      title="Upload a firmware image"
      onSubmit={() => upload.mutate()}
      submitLabel="Upload"
      submitting={upload.isPending}
      canSubmit={!(file === null)}
      error={upload.error}
      errorTitle="Not uploaded"
    >
      <FileInput
        label="Image file"
        value={file}
        onChange={(f) => {
          setFile(f);
          if (f !== null && fileName === "") setFileName(f.name);
        }}
        required
      />
      <TextInput
        label="File name units ask for"
        value={fileName}
        onChange={(e) => setFileName(e.currentTarget.value)}
        required
      />
      <TextInput
        label="Version"
        description="As units report it once they run this image"
        value={version}
        onChange={(e) => setVersion(e.currentTarget.value)}
        required
      />
      <TextInput
        label="Models"
        description="Comma-separated product names (SPA962), series (962) or *"
        value={models}
        onChange={(e) => setModels(e.currentTarget.value)}
        required
      />
      <Text size="xs" c="dimmed">
        The browser computes the file's SHA-256; the server checks it before storing anything.
      </Text>
    </FormModal>
  );
}
