-- A store as partnerwatch 9cc3022 (the last release before migrations) made it, with a little of everything:
-- the migration test adopts it and upgrades it to head, losing nothing (tests/models/test_schema.py).
BEGIN TRANSACTION;
CREATE TABLE audit_event (
	id INTEGER NOT NULL, 
	workspace_id VARCHAR, 
	at DATETIME NOT NULL, 
	actor VARCHAR NOT NULL, 
	action VARCHAR NOT NULL, 
	target VARCHAR, 
	details JSON NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO "audit_event" VALUES(1,'ws_legacy','2026-11-29 03:14:26.985625','cli:test','partner.onboarded','NW-1','{"monitor": "ma_legacy"}');
CREATE TABLE automation_task (
	id VARCHAR NOT NULL, 
	workspace_id VARCHAR NOT NULL, 
	partner_id VARCHAR, 
	task VARCHAR NOT NULL, 
	target VARCHAR NOT NULL, 
	actor VARCHAR NOT NULL, 
	"trigger" VARCHAR NOT NULL, 
	status VARCHAR NOT NULL, 
	workflow_id VARCHAR, 
	run_id VARCHAR, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	added INTEGER NOT NULL, 
	changed INTEGER NOT NULL, 
	removed INTEGER NOT NULL, 
	listed_total INTEGER, 
	pages_read INTEGER NOT NULL, 
	pages_total INTEGER, 
	pages_done JSON, 
	read_restarts INTEGER NOT NULL, 
	snapshot_complete BOOLEAN NOT NULL, 
	imported_at DATETIME, 
	retries INTEGER NOT NULL, 
	reason_code VARCHAR, 
	reason VARCHAR, 
	artifacts_path VARCHAR, 
	PRIMARY KEY (id), 
	FOREIGN KEY(workspace_id) REFERENCES workspace (id), 
	FOREIGN KEY(partner_id) REFERENCES partner (id)
);
INSERT INTO "automation_task" VALUES('task_legacy','ws_legacy','pt_legacy','check','NW-1','cli','manual','Completed','check-pt_legacy','run-1','2026-11-20 09:00:00.000000','2026-11-20 09:00:00.000000',2,0,0,2,1,1,'[1]',0,1,NULL,0,NULL,NULL,NULL);
CREATE TABLE change_log (
	id INTEGER NOT NULL, 
	task_id VARCHAR NOT NULL, 
	partner_id VARCHAR NOT NULL, 
	email VARCHAR NOT NULL, 
	change VARCHAR NOT NULL, 
	"before" JSON, 
	"after" JSON, 
	at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(task_id) REFERENCES automation_task (id), 
	FOREIGN KEY(partner_id) REFERENCES partner (id)
);
INSERT INTO "change_log" VALUES(1,'task_legacy','pt_legacy','ana@northwind.example','added','null','{"role": "Admin"}','2026-11-20 09:00:00.000000');
INSERT INTO "change_log" VALUES(2,'task_legacy','pt_legacy','bo@northwind.example','added','null','{"role": "Employee"}','2026-11-20 09:00:00.000000');
CREATE TABLE credential (
	id VARCHAR NOT NULL, 
	workspace_id VARCHAR NOT NULL, 
	email VARCHAR NOT NULL, 
	password TEXT NOT NULL, 
	totp_secret TEXT, 
	session_state TEXT, 
	session_saved_at DATETIME, 
	created_at DATETIME NOT NULL, 
	destroyed_at DATETIME, 
	PRIMARY KEY (id), 
	FOREIGN KEY(workspace_id) REFERENCES workspace (id)
);
INSERT INTO "credential" VALUES('cred_legacy','ws_legacy','monitor@northwind.example','sealed:v1:not-a-secret',NULL,NULL,NULL,'2026-11-20 09:00:00.000000',NULL);
CREATE TABLE data_key (
	id VARCHAR NOT NULL, 
	master_kid VARCHAR NOT NULL, 
	nonce VARCHAR NOT NULL, 
	wrapped VARCHAR NOT NULL, 
	created_at DATETIME NOT NULL, 
	retired_at DATETIME, 
	PRIMARY KEY (id)
);
CREATE TABLE guestuser (
	id VARCHAR NOT NULL, 
	workspace_id VARCHAR NOT NULL, 
	partner_id VARCHAR NOT NULL, 
	email VARCHAR NOT NULL, 
	invite_state VARCHAR NOT NULL, 
	invited_at DATETIME NOT NULL, 
	expires_at DATETIME, 
	accepted_at DATETIME, 
	reminders_sent INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(workspace_id) REFERENCES workspace (id), 
	FOREIGN KEY(partner_id) REFERENCES partner (id)
);
CREATE TABLE integration (
	id VARCHAR NOT NULL, 
	workspace_id VARCHAR NOT NULL, 
	business_id VARCHAR NOT NULL, 
	credential_id VARCHAR NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (workspace_id), 
	FOREIGN KEY(workspace_id) REFERENCES workspace (id), 
	FOREIGN KEY(credential_id) REFERENCES credential (id)
);
CREATE TABLE monitoraccount (
	id VARCHAR NOT NULL, 
	workspace_id VARCHAR NOT NULL, 
	partner_id VARCHAR NOT NULL, 
	email VARCHAR NOT NULL, 
	credential_id VARCHAR NOT NULL, 
	has_totp BOOLEAN NOT NULL, 
	shared_by_guest_id VARCHAR, 
	shared_at DATETIME NOT NULL, 
	state VARCHAR NOT NULL, 
	rejected_code VARCHAR, 
	rejected_at DATETIME, 
	PRIMARY KEY (id), 
	FOREIGN KEY(workspace_id) REFERENCES workspace (id), 
	FOREIGN KEY(partner_id) REFERENCES partner (id), 
	FOREIGN KEY(credential_id) REFERENCES credential (id)
);
INSERT INTO "monitoraccount" VALUES('ma_legacy','ws_legacy','pt_legacy','monitor@northwind.example','cred_legacy',0,NULL,'2026-11-20 09:00:00.000000','connected',NULL,NULL);
CREATE TABLE partner (
	id VARCHAR NOT NULL, 
	workspace_id VARCHAR NOT NULL, 
	business_id VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	relationship VARCHAR NOT NULL, 
	shared_assets JSON NOT NULL, 
	status VARCHAR NOT NULL, 
	status_reason_code VARCHAR, 
	status_reason VARCHAR, 
	selected_monitor_id VARCHAR, 
	last_check_at DATETIME, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (workspace_id, business_id), 
	FOREIGN KEY(workspace_id) REFERENCES workspace (id)
);
INSERT INTO "partner" VALUES('pt_legacy','ws_legacy','NW-1','Northwind','has_access','["AD-1", "CAT-2"]','Onboarded',NULL,NULL,'ma_legacy','2026-11-20 09:00:00.000000','2026-11-20 09:00:00.000000','2026-11-20 09:00:00.000000');
CREATE TABLE partner_person (
	id INTEGER NOT NULL, 
	workspace_id VARCHAR NOT NULL, 
	partner_id VARCHAR NOT NULL, 
	email_key VARCHAR NOT NULL, 
	email VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	role VARCHAR NOT NULL, 
	status VARCHAR NOT NULL, 
	assets JSON NOT NULL, 
	last_active DATE, 
	first_seen DATETIME NOT NULL, 
	last_seen DATETIME NOT NULL, 
	digest VARCHAR, 
	removed_at DATETIME, 
	PRIMARY KEY (id), 
	UNIQUE (partner_id, email_key), 
	FOREIGN KEY(workspace_id) REFERENCES workspace (id), 
	FOREIGN KEY(partner_id) REFERENCES partner (id)
);
INSERT INTO "partner_person" VALUES(1,'ws_legacy','pt_legacy','ana@northwind.example','ana@northwind.example','Ana','Admin','Active','[{"asset_id": "AD-1", "asset_name": "Acme Ads", "permission": "Analyst"}]','2026-11-19','2026-11-20 09:00:00.000000','2026-11-20 09:00:00.000000','d0',NULL);
INSERT INTO "partner_person" VALUES(2,'ws_legacy','pt_legacy','bo@northwind.example','bo@northwind.example','Bo','Employee','Active','[{"asset_id": "AD-1", "asset_name": "Acme Ads", "permission": "Analyst"}]','2026-11-19','2026-11-20 09:00:00.000000','2026-11-20 09:00:00.000000','d1',NULL);
CREATE TABLE snapshot_row (
	task_id VARCHAR NOT NULL, 
	email_key VARCHAR NOT NULL, 
	page INTEGER NOT NULL, 
	data JSON NOT NULL, 
	relevant BOOLEAN NOT NULL, 
	email VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	role VARCHAR NOT NULL, 
	status VARCHAR NOT NULL, 
	assets JSON, 
	"view" JSON, 
	last_active DATE, 
	digest VARCHAR, 
	PRIMARY KEY (task_id, email_key), 
	FOREIGN KEY(task_id) REFERENCES automation_task (id)
);
CREATE TABLE workspace (
	id VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	removal_threshold_pct FLOAT NOT NULL, 
	removal_floor INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO "workspace" VALUES('ws_legacy','Acme',20.0,2,'2026-11-20 09:00:00.000000');
CREATE UNIQUE INDEX ix_workspace_name ON workspace (name);
CREATE INDEX ix_audit_event_workspace_id ON audit_event (workspace_id);
CREATE INDEX ix_credential_workspace_id ON credential (workspace_id);
CREATE INDEX ix_partner_workspace_id ON partner (workspace_id);
CREATE INDEX ix_guestuser_partner_id ON guestuser (partner_id);
CREATE INDEX ix_guestuser_workspace_id ON guestuser (workspace_id);
CREATE INDEX ix_monitoraccount_partner_id ON monitoraccount (partner_id);
CREATE INDEX ix_monitoraccount_workspace_id ON monitoraccount (workspace_id);
CREATE INDEX ix_partner_person_workspace_id ON partner_person (workspace_id);
CREATE INDEX ix_partner_person_partner_id ON partner_person (partner_id);
CREATE INDEX ix_automation_task_workspace_id ON automation_task (workspace_id);
CREATE INDEX ix_task_partner_status ON automation_task (partner_id, status);
CREATE INDEX ix_change_log_task_id ON change_log (task_id);
CREATE INDEX ix_change_log_partner_id ON change_log (partner_id);
CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
COMMIT;
