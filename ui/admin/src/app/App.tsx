/**
 * Routes: signed out, the sign-in page; signed in, the shell with one lazily loaded
 * section per navigation entry (each section's folder owns its sub-routes).
 */
import { Center, Loader } from "@mantine/core";
import { lazy, Suspense } from "react";
import { Route, Routes } from "react-router";
import { useSession } from "../api/session.ts";
import { ErrorAlert, Loading } from "../components/index.ts";
import { LoginPage } from "../pages/login/LoginPage.tsx";
import { NotFoundPage } from "./NotFoundPage.tsx";
import { PrincipalProvider } from "./principal.tsx";
import { Shell } from "./Shell.tsx";
import { TenantProvider } from "./tenant.tsx";

const Dashboard = lazy(() => import("../pages/dashboard/index.ts"));
const Devices = lazy(() => import("../pages/devices/index.ts"));
const Accounts = lazy(() => import("../pages/accounts/index.ts"));
const Activation = lazy(() => import("../pages/activation/index.ts"));
const Configuration = lazy(() => import("../pages/configuration/index.ts"));
const Firmware = lazy(() => import("../pages/firmware/index.ts"));
const Redirect = lazy(() => import("../pages/redirect/index.ts"));
const Audit = lazy(() => import("../pages/audit/index.ts"));
const Settings = lazy(() => import("../pages/settings/index.ts"));

export function App() {
  const session = useSession();
  if (session.isPending) {
    return (
      <Center mih="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (session.isError) {
    return (
      <Center mih="100vh" p="md">
        <ErrorAlert error={session.error} title="The server cannot be reached" />
      </Center>
    );
  }
  const principal = session.data;
  if (principal === null) return <LoginPage />;
  return (
    <PrincipalProvider principal={principal}>
      <TenantProvider principal={principal}>
        <Shell>
          <Suspense fallback={<Loading label="Loading page" />}>
            <Routes>
              <Route path="/" element={<Dashboard />} />
              <Route path="/devices/*" element={<Devices />} />
              <Route path="/accounts/*" element={<Accounts />} />
              <Route path="/activation/*" element={<Activation />} />
              <Route path="/configuration/*" element={<Configuration />} />
              <Route path="/firmware/*" element={<Firmware />} />
              <Route path="/redirect/*" element={<Redirect />} />
              <Route path="/audit/*" element={<Audit />} />
              <Route path="/settings/*" element={<Settings />} />
              <Route path="*" element={<NotFoundPage />} />
            </Routes>
          </Suspense>
        </Shell>
      </TenantProvider>
    </PrincipalProvider>
  );
}
