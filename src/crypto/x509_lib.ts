/**
 * The one door to @peculiar/x509. Its dependency tsyringe throws at load time unless a
 * Reflect metadata polyfill is already installed, so the polyfill is imported here, first,
 * and every crypto file imports x509 from this module. (ESM evaluates imports in order;
 * a bundle keeps both as external imports in this order.) reflect-metadata only adds the
 * Reflect.*Metadata functions; it is the polyfill @peculiar/x509's README prescribes.
 */
import "reflect-metadata";

export * as x509 from "@peculiar/x509";
