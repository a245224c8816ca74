-- Electronic certificates (电子证照): signing keys, certificates and their usage records.
--
-- cert_keys: the keys that sign certificates and show tokens, shared by every node. The secret
-- is sealed under the master key (SHENPI_MASTER_KEY), bound to its key id; NULL when the key is
-- held outside the database (key file, hardware module). Retired keys stay so that certificates
-- signed earlier still verify; one key is active.
CREATE TABLE cert_keys (
    kid TEXT PRIMARY KEY,
    alg TEXT NOT NULL,
    public_key TEXT NOT NULL,
    sealed_secret TEXT,
    created_at TEXT NOT NULL,
    retired_at TEXT,
    active INTEGER NOT NULL
);
CREATE UNIQUE INDEX cert_keys_active ON cert_keys(active) WHERE active = 1;

-- certificates: one row per certificate version (the GB/T 36904 identifier names the version).
-- A change or renewal adds a row whose `previous` is the identifier it replaces.
CREATE TABLE certificates (
    id TEXT PRIMARY KEY,
    identifier TEXT NOT NULL UNIQUE,
    serial TEXT NOT NULL,
    version INTEGER NOT NULL,
    type_code TEXT NOT NULL,
    holder_id TEXT NOT NULL,
    holder_name TEXT NOT NULL,
    region_code TEXT NOT NULL,
    case_id TEXT,
    previous TEXT,
    status TEXT NOT NULL,
    status_reason TEXT NOT NULL,
    status_at TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT,
    data TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    revision INTEGER NOT NULL
);
CREATE INDEX certificates_holder ON certificates(holder_id);
CREATE INDEX certificates_case ON certificates(case_id);
CREATE INDEX certificates_expiry ON certificates(status, valid_until);

-- Usage records (用证记录): every verification by authorised staff, with its purpose. The
-- holder sees them.
CREATE TABLE cert_usages (
    id TEXT PRIMARY KEY,
    certificate_id TEXT NOT NULL,
    region_code TEXT NOT NULL,
    at TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    department TEXT NOT NULL,
    purpose TEXT NOT NULL
);
CREATE INDEX cert_usages_certificate ON cert_usages(certificate_id, at);
