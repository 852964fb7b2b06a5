use super::*;

impl SqliteStore {
    pub(super) fn record_organisation(
        &self,
        name: &str,
        roles: &[Role],
        systems: &[System],
        at: &str,
    ) -> Result<Vec<ConfigChange>> {
        self.write(at, |tx, seal, m| {
            let mut changes = Vec::new();
            let mut change = |kind: &str, subject: &str, detail: String| {
                changes.push(ConfigChange { at: at.to_string(), kind: kind.into(), subject: subject.into(), detail });
            };

            let old_name: Option<String> =
                tx.query_row("SELECT name FROM organisation WHERE id = 1", [], |r| r.get(0)).optional().map_err(m)?;
            match old_name {
                Some(old) if old == name => {}
                Some(old) => change("organisation-renamed", name, format!("was {old}")),
                None => {}
            }
            tx.execute(
                "INSERT INTO organisation (id, name, updated_at) VALUES (1, ?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at
                 WHERE organisation.name <> excluded.name",
                params![name, at],
            )
            .map_err(m)?;

            let old_roles: Vec<String> = {
                let mut st = tx.prepare("SELECT role FROM organisation_role ORDER BY role").map_err(m)?;
                st.query_map([], |r| r.get(0)).map_err(m)?.collect::<std::result::Result<_, _>>().map_err(m)?
            };
            for r in roles {
                if !old_roles.iter().any(|o| o == r.as_str()) {
                    tx.execute("INSERT INTO organisation_role (role, since) VALUES (?1, ?2)", params![r.as_str(), at])
                        .map_err(m)?;
                    change("role-added", r.as_str(), String::new());
                }
            }
            for o in &old_roles {
                if !roles.iter().any(|r| r.as_str() == o) {
                    tx.execute("DELETE FROM organisation_role WHERE role = ?1", params![o]).map_err(m)?;
                    change("role-removed", o, String::new());
                }
            }

            type Row = (String, String, String, Option<String>);
            let old_systems: Vec<(String, Row)> = {
                let mut st = tx
                    .prepare("SELECT name, description, intended_use, exposure, retired_at FROM system ORDER BY name")
                    .map_err(m)?;
                st.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))))
                    .map_err(m)?
                    .collect::<std::result::Result<_, _>>()
                    .map_err(m)?
            };
            for s in systems {
                let old = old_systems.iter().find(|(n, _)| *n == s.name).map(|(_, row)| row);
                match old {
                    None => {
                        tx.execute(
                            "INSERT INTO system (name, description, intended_use, exposure, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                            params![s.name, s.description, s.intended_use, s.exposure.as_str(), at],
                        )
                        .map_err(m)?;
                        change("system-added", &s.name, s.exposure.as_str().to_string());
                    }
                    Some((desc, use_, exp, retired)) => {
                        let mut fields = Vec::new();
                        if *desc != s.description {
                            fields.push("description");
                        }
                        if *use_ != s.intended_use {
                            fields.push("intended_use");
                        }
                        if exp != s.exposure.as_str() {
                            fields.push("exposure");
                        }
                        if retired.is_some() {
                            change("system-restored", &s.name, String::new());
                        }
                        if !fields.is_empty() {
                            change("system-changed", &s.name, fields.join(", "));
                        }
                        if retired.is_some() || !fields.is_empty() {
                            tx.execute(
                                "UPDATE system SET description = ?2, intended_use = ?3, exposure = ?4, updated_at = ?5, retired_at = NULL WHERE name = ?1",
                                params![s.name, s.description, s.intended_use, s.exposure.as_str(), at],
                            )
                            .map_err(m)?;
                        }
                    }
                }
            }
            for (n, (_, _, _, retired)) in &old_systems {
                if retired.is_none() && !systems.iter().any(|s| s.name == *n) {
                    tx.execute("UPDATE system SET retired_at = ?2, updated_at = ?2 WHERE name = ?1", params![n, at])
                        .map_err(m)?;
                    change("system-retired", n, String::new());
                }
            }
            for c in &changes {
                tx.execute(
                    "INSERT INTO config_change (at, kind, subject, detail) VALUES (?1, ?2, ?3, ?4)",
                    params![c.at, c.kind, c.subject, c.detail],
                )
                .map_err(m)?;
            }
            if !changes.is_empty() {
                let list: Vec<serde_json::Value> =
                    changes.iter().map(|c| serde_json::json!([c.kind, c.subject, c.detail])).collect();
                seal.append(
                    tx,
                    at,
                    "organisation.changed",
                    serde_json::json!({ "organisation": name, "changes": list }),
                    None,
                )?;
            }
            Ok(changes)
        })
    }

    pub(super) fn organisation(&self) -> Result<Option<StoredOrganisation>> {
        let conn = self.db()?;
        let m = |e| self.map(e);
        let Some(name): Option<String> =
            conn.query_row("SELECT name FROM organisation WHERE id = 1", [], |r| r.get(0)).optional().map_err(m)?
        else {
            return Ok(None);
        };
        let mut st = conn.prepare("SELECT role FROM organisation_role").map_err(m)?;
        let mut roles: Vec<Role> = st
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(m)?
            .filter_map(|r| r.ok().and_then(|s| Role::parse(&s).ok()))
            .collect();
        roles.sort();
        let mut st = conn
            .prepare(
                "SELECT name, description, intended_use, exposure, created_at, retired_at FROM system ORDER BY name",
            )
            .map_err(m)?;
        let systems = st
            .query_map([], |r| {
                Ok(StoredSystem {
                    system: System {
                        name: r.get(0)?,
                        description: r.get(1)?,
                        intended_use: r.get(2)?,
                        exposure: exposure_of(&r.get::<_, String>(3)?),
                        ..System::default()
                    },
                    created_at: r.get(4)?,
                    retired_at: r.get(5)?,
                })
            })
            .map_err(m)?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(m)?;
        Ok(Some(StoredOrganisation { name, roles, systems }))
    }

    pub(super) fn config_history(&self) -> Result<Vec<ConfigChange>> {
        let conn = self.db()?;
        let m = |e| self.map(e);
        let mut st = conn.prepare("SELECT at, kind, subject, detail FROM config_change ORDER BY id").map_err(m)?;
        let rows = st
            .query_map([], |r| {
                Ok(ConfigChange { at: r.get(0)?, kind: r.get(1)?, subject: r.get(2)?, detail: r.get(3)? })
            })
            .map_err(m)?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(m)?;
        Ok(rows)
    }
}

fn exposure_of(s: &str) -> Exposure {
    // The column has a CHECK constraint; anything else cannot be stored.
    Exposure::parse(s).unwrap_or(Exposure::Public)
}
