//! Who is who on both sides: e-mail address ↔ Personio person ↔ TimeTrack username.
//!
//! TimeTrack references users by username in time entries and absences, Personio by person
//! id; the address is what both know. The map is rebuilt each run from both systems, with
//! `timetrack.usernames` first and the ledger's memory of earlier runs last, for a user
//! whose TimeTrack address was changed or emptied since.

use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Default)]
pub struct Directory {
    usernames: HashMap<String, String>,
    emails: HashMap<String, String>,
    persons: HashMap<String, String>,
    person_emails: HashMap<String, String>,
}

impl Directory {
    /// `users`: TimeTrack (username, address); `persons`: Personio (id, address);
    /// `remembered`: the ledger's (address, username).
    pub fn new(
        users: &[(String, Option<String>)],
        persons: &[(String, Option<String>)],
        remembered: &[(String, String)],
        configured: &BTreeMap<String, String>,
    ) -> Directory {
        let mut d = Directory::default();
        let link = |d: &mut Directory, email: &str, username: &str| {
            let email = email.trim().to_lowercase();
            if email.contains('@')
                && !d.usernames.contains_key(&email)
                && !d.emails.contains_key(&username.to_lowercase())
            {
                d.emails.insert(username.to_lowercase(), email.clone());
                d.usernames.insert(email, username.to_string());
            }
        };
        for (email, username) in configured {
            link(&mut d, email, username);
        }
        for (username, email) in users {
            if let Some(e) = email {
                link(&mut d, e, username);
            }
        }
        for (email, username) in remembered {
            link(&mut d, email, username);
        }
        for (id, email) in persons {
            if let Some(e) = email {
                let e = e.trim().to_lowercase();
                d.person_emails.insert(id.clone(), e.clone());
                d.persons.insert(e, id.clone());
            }
        }
        d
    }

    pub fn username(&self, email: &str) -> Option<&str> {
        self.usernames
            .get(&email.to_lowercase())
            .map(String::as_str)
    }

    pub fn email_of_username(&self, username: &str) -> Option<&str> {
        self.emails
            .get(&username.to_lowercase())
            .map(String::as_str)
    }

    pub fn person_id(&self, email: &str) -> Option<&str> {
        self.persons.get(&email.to_lowercase()).map(String::as_str)
    }

    pub fn email_of_person(&self, id: &str) -> Option<&str> {
        self.person_emails.get(id).map(String::as_str)
    }

    /// The Personio ids of the persons who also have a TimeTrack user, sorted.
    pub fn shared_persons(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .persons
            .iter()
            .filter(|(email, _)| self.usernames.contains_key(*email))
            .map(|(_, id)| id.clone())
            .collect();
        ids.sort();
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_link_usernames_and_persons_with_configured_names_first() {
        let users = vec![
            ("annam".to_string(), Some("Anna@Example.com".to_string())),
            ("bob".into(), None),
            ("carl".into(), Some("carl@example.com".into())),
        ];
        let persons = vec![
            ("11".to_string(), Some("anna@example.com".to_string())),
            ("12".into(), Some("bob@example.com".into())),
            ("13".into(), Some("dora@example.com".into())),
        ];
        let remembered = vec![("bob@example.com".to_string(), "bob".to_string())];
        let configured = BTreeMap::from([("carl@example.com".to_string(), "carl.k".to_string())]);
        let d = Directory::new(&users, &persons, &remembered, &configured);
        assert_eq!(d.username("ANNA@example.com"), Some("annam"));
        assert_eq!(
            d.username("bob@example.com"),
            Some("bob"),
            "from the ledger"
        );
        assert_eq!(
            d.username("carl@example.com"),
            Some("carl.k"),
            "configured wins"
        );
        assert_eq!(d.email_of_username("AnnaM"), Some("anna@example.com"));
        assert_eq!(d.email_of_person("12"), Some("bob@example.com"));
        assert_eq!(d.shared_persons(), vec!["11".to_string(), "12".into()]);
    }
}
