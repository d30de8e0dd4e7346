/**
 * Picks one of the tenant's accounts by searching the server (`GET /api/v1/accounts?q=`),
 * so a tenant with many accounts never sends them all to the browser. Shows references and
 * names; the value is the account's id.
 */
import { Select, type SelectProps } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, type Page } from "../api/client.ts";
import type { Account } from "../api/types.ts";

/** How an account is named in a list: its reference, and its name when it has one. */
export function accountLabel(account: Pick<Account, "reference" | "name">): string {
  return account.name === null || account.name === ""
    ? account.reference
    : `${account.reference} — ${account.name}`;
}

export function AccountPicker(
  props: {
    tenant: string;
    value: string | null;
    onChange: (id: string | null, account: Account | null) => void;
    label?: string;
  } & Omit<SelectProps, "value" | "onChange" | "data" | "label">,
) {
  const { tenant, value, onChange, label, ...rest } = props;
  const [search, setSearch] = useState("");
  const [chosen, setChosen] = useState<Account | null>(null);
  const [debounced] = useDebouncedValue(search, 250);
  // While the field shows the chosen account's label, list matches of nothing typed.
  const q = chosen !== null && debounced === accountLabel(chosen) ? "" : debounced.trim();
  const found = useQuery({
    queryKey: ["accounts", "search", tenant, q],
    queryFn: ({ signal }) =>
      api<Page<Account>>("/api/v1/accounts", { query: { tenant, q, limit: 20 }, signal }),
    placeholderData: keepPreviousData,
  });
  const items = [...(found.data?.items ?? [])];
  if (chosen !== null && chosen.id === value && !items.some((a) => a.id === chosen.id)) {
    items.unshift(chosen);
  }
  return (
    <Select
      label={label ?? "Account"}
      placeholder="Search by reference, name or user id"
      searchable
      clearable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options }) => options}
      nothingFoundMessage={found.isFetching ? "Searching…" : "No account matches"}
      data={items.map((a) => ({ value: a.id, label: accountLabel(a) }))}
      value={value}
      onChange={(id) => {
        const account = items.find((a) => a.id === id) ?? null;
        setChosen(account);
        onChange(id, account);
      }}
      {...rest}
    />
  );
}
