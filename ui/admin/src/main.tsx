import "@mantine/core/styles.css";
import "@mantine/charts/styles.css";
import "@mantine/notifications/styles.css";
import {
  type CSSVariablesResolver,
  createTheme,
  MantineProvider,
  Modal,
  Notification,
} from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { ApiError } from "./api/client.ts";
import { SESSION_KEY } from "./api/session.ts";
import { App } from "./app/App.tsx";

// Darker than Mantine's default blue, so text on it and links on white pass WCAG AA contrast.
const theme = createTheme({
  primaryColor: "indigo",
  primaryShade: 8,
  defaultRadius: "sm",
  components: {
    // Mantine's modal close button is an icon without a name.
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { "aria-label": "Close dialog" } } }),
    // A notification's close button gets a name, and its text (gray 6 under a title) gray 7.
    Notification: Notification.extend({
      defaultProps: { closeButtonProps: { "aria-label": "Dismiss" } },
      styles: { description: { color: "var(--mantine-color-gray-7)" } },
    }),
  },
});
// Mantine's dimmed text (gray 6) is 3.3:1 on white; gray 7 passes AA everywhere it is used.
const variables: CSSVariablesResolver = () => ({
  variables: {},
  light: { "--mantine-color-dimmed": "var(--mantine-color-gray-7)" },
  dark: {},
});

const client: QueryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      refetchOnWindowFocus: false,
      // An expired session signs the operator out instead of retrying.
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
    },
  },
});
client.getQueryCache().subscribe((event) => {
  const error = event.query.state.error;
  if (
    error instanceof ApiError &&
    error.status === 401 &&
    event.query.queryKey[0] !== SESSION_KEY[0]
  ) {
    client.setQueryData(SESSION_KEY, null);
  }
});

const root = document.getElementById("root");
if (root !== null) {
  createRoot(root).render(
    <StrictMode>
      <MantineProvider theme={theme} cssVariablesResolver={variables}>
        <Notifications position="top-right" />
        <QueryClientProvider client={client}>
          <BrowserRouter>
            <App />
          </BrowserRouter>
        </QueryClientProvider>
      </MantineProvider>
    </StrictMode>,
  );
}
