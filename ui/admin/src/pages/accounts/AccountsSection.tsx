/** Accounts: the list (`/accounts`) and one account with its lines and devices (`/accounts/:id`). */
import { Route, Routes } from "react-router";
import { NotFoundPage } from "../../app/NotFoundPage.tsx";
import { AccountListPage } from "./AccountListPage.tsx";
import { AccountPage } from "./AccountPage.tsx";

export function AccountsSection() {
  return (
    <Routes>
      <Route index element={<AccountListPage />} />
      <Route path=":id" element={<AccountPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
