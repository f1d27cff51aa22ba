import jwt from "jsonwebtoken";
import { createHash } from "node:crypto";

export function issue(sub: string, key: string): string {
  return jwt.sign({ sub }, key, { algorithm: "RS256" });
}
