/**
 * TypeBox schemas of the session and user routes (kept beside `schemas.ts`, which holds the
 * other records'). No schema has a field for a password hash: the serialiser drops anything a
 * response schema does not list.
 */
import { type Static, Type } from "@sinclair/typebox";
import { MAX_PASSWORD_BYTES, MIN_PASSWORD_LENGTH } from "../store/index.ts";

const Role = Type.Union([
  Type.Literal("admin"),
  Type.Literal("operator"),
  Type.Literal("read-only"),
]);
const Password = (description: string) =>
  Type.String({
    minLength: MIN_PASSWORD_LENGTH,
    maxLength: MAX_PASSWORD_BYTES,
    description: `${description}: at least ${MIN_PASSWORD_LENGTH} characters, at most ${MAX_PASSWORD_BYTES} bytes (UTF-8)`,
  });
const NullableString = (options: Record<string, unknown>) =>
  Type.Unsafe<string | null>({ type: ["string", "null"], ...options });

const PrincipalFields = Type.Object({
  kind: Type.Union([Type.Literal("user"), Type.Literal("token")]),
  id: Type.String({ description: "the user's or token's id" }),
  name: Type.String({ description: "the user name, or the token's name" }),
  role: Role,
  tenant: NullableString({ description: "the tenant id it is scoped to; null: every tenant" }),
});

export const PrincipalSchema = Type.Object({ principal: PrincipalFields }, { title: "Principal" });

/** Who is signed in: a principal, or null for nobody (no session, or one that has ended). */
export const SessionStateSchema = Type.Object(
  { principal: Type.Union([PrincipalFields, Type.Null()]) },
  { title: "SessionState" },
);

export const LoginBody = Type.Union(
  [
    Type.Object(
      {
        username: Type.String({ minLength: 1, maxLength: 64 }),
        password: Type.String({ minLength: 1, maxLength: MAX_PASSWORD_BYTES }),
      },
      { additionalProperties: false, title: "PasswordLogin" },
    ),
    Type.Object(
      {
        token: Type.String({
          minLength: 1,
          maxLength: 512,
          description: "an API token, exchanged for a session",
        }),
      },
      { additionalProperties: false, title: "TokenLogin" },
    ),
  ],
  { title: "Login" },
);

export const PasswordChange = Type.Object(
  {
    current: Type.String({ minLength: 1, maxLength: MAX_PASSWORD_BYTES }),
    new: Password("the new password"),
  },
  { additionalProperties: false, title: "PasswordChange" },
);
export type PasswordChange = Static<typeof PasswordChange>;

export const UserSchema = Type.Object(
  {
    id: Type.String(),
    username: Type.String(),
    role: Role,
    tenantId: NullableString({}),
    disabled: Type.Boolean(),
    createdAt: Type.String({ format: "date-time" }),
    lastLoginAt: NullableString({ format: "date-time" }),
  },
  { title: "User" },
);

export const UserCreate = Type.Object(
  {
    username: Type.String({
      minLength: 1,
      maxLength: 64,
      description: "a-z, 0-9, '.', '_', '@', '-' (stored in lower case; unique)",
    }),
    password: Password("the password"),
    role: Role,
    tenant: Type.Optional(
      NullableString({ maxLength: 64, description: "slug or id; default the admin's tenant" }),
    ),
  },
  { additionalProperties: false },
);
export type UserCreate = Static<typeof UserCreate>;

export const UserPatchBody = Type.Object(
  {
    role: Type.Optional(Role),
    tenant: Type.Optional(
      NullableString({ maxLength: 64, description: "slug or id; null: every tenant" }),
    ),
    disabled: Type.Optional(Type.Boolean({ description: "true ends the user's sessions" })),
    password: Type.Optional(Password("a new password (ends the user's sessions)")),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UserPatchBody = Static<typeof UserPatchBody>;
