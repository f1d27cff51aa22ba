// Session tokens for the web front end.
const crypto = require("crypto");
const jwt = require("jsonwebtoken");

const { privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });

function issue(user) {
  return jwt.sign({ sub: user.id }, privateKey, { algorithm: "ES256", expiresIn: "1h" });
}

function etag(body) {
  return crypto.createHash("md5").update(body).digest("hex");
}

module.exports = { issue, etag };
