/**
 * Sign-in: a user account (username and password), or an API token exchanged once for the
 * same kind of session, so nobody keeps a bearer token in the browser.
 */
import {
  Button,
  Center,
  Paper,
  PasswordInput,
  Stack,
  Tabs,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { type Credentials, SESSION_KEY, signIn } from "../../api/session.ts";
import { ErrorAlert } from "../../components/index.ts";

export function LoginPage() {
  const client = useQueryClient();
  const [mode, setMode] = useState<string | null>("account");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [token, setToken] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const credentials: Credentials =
      mode === "token" ? { token: token.trim() } : { username, password };
    setBusy(true);
    setError(null);
    try {
      const principal = await signIn(credentials);
      client.setQueryData(SESSION_KEY, principal);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Center mih="100vh" bg="gray.1" p="md">
      <Paper component="main" withBorder shadow="sm" p="xl" radius="md" w={420}>
        <form onSubmit={submit} aria-label="Sign in">
          <Stack>
            <div>
              <Title order={1} size="h2">
                Provisio
              </Title>
              <Text c="dimmed" size="sm">
                Sign in to manage your devices.
              </Text>
            </div>
            <Tabs value={mode} onChange={setMode}>
              <Tabs.List grow>
                <Tabs.Tab value="account">Account</Tabs.Tab>
                <Tabs.Tab value="token">API token</Tabs.Tab>
              </Tabs.List>
              <Tabs.Panel value="account" pt="md">
                <Stack>
                  <TextInput
                    label="Username"
                    autoComplete="username"
                    value={username}
                    onChange={(e) => setUsername(e.currentTarget.value)}
                    required={mode === "account"}
                    data-autofocus
                  />
                  <PasswordInput
                    label="Password"
                    autoComplete="current-password"
                    value={password}
                    onChange={(e) => setPassword(e.currentTarget.value)}
                    required={mode === "account"}
                  />
                </Stack>
              </Tabs.Panel>
              <Tabs.Panel value="token" pt="md">
                <PasswordInput
                  label="API token"
                  description="From `provisio token create`; it is exchanged for a session and not kept in the browser."
                  value={token}
                  onChange={(e) => setToken(e.currentTarget.value)}
                  required={mode === "token"}
                />
              </Tabs.Panel>
            </Tabs>
            {error === null ? null : <ErrorAlert error={error} title="Sign-in failed" />}
            <Button type="submit" loading={busy} fullWidth>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
