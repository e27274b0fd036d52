//! What a caller may see: a rep their own territory, a manager their team's, an
//! administrator the whole organisation. Everything outside answers 404, exactly as an
//! id that does not exist, so ids outside one's scope reveal nothing.

use std::collections::BTreeSet;

use rounds_core::model::{Account, Role, User, UserId};

#[derive(Debug, Clone)]
pub struct Scope {
    pub me: User,
    /// The users whose territories are visible; `None` for all (administrators).
    reps: Option<BTreeSet<UserId>>,
    /// Every user of the organisation within the scope, by id.
    pub users: Vec<User>,
}

impl Scope {
    /// `everyone` is every user of the caller's organisation.
    pub fn new(me: User, everyone: Vec<User>) -> Scope {
        let reps: Option<BTreeSet<UserId>> = match me.role {
            Role::Admin => None,
            Role::Rep => Some(BTreeSet::from([me.id])),
            Role::Manager => Some(
                everyone
                    .iter()
                    .filter(|u| u.id == me.id || (me.team.is_some() && u.team == me.team))
                    .map(|u| u.id)
                    .collect(),
            ),
        };
        let users = everyone
            .into_iter()
            .filter(|u| reps.as_ref().is_none_or(|r| r.contains(&u.id)))
            .collect();
        Scope { me, reps, users }
    }

    pub fn sees_rep(&self, rep: UserId) -> bool {
        self.reps.as_ref().is_none_or(|r| r.contains(&rep))
    }

    pub fn sees_account(&self, account: &Account) -> bool {
        self.sees_rep(account.rep)
    }

    pub fn is_admin(&self) -> bool {
        self.me.role == Role::Admin
    }

    /// Managers and administrators keep the shared library and see more than one plan.
    pub fn is_lead(&self) -> bool {
        self.me.role != Role::Rep
    }

    /// The reps whose plans this caller may open, by id.
    pub fn reps(&self) -> impl Iterator<Item = &User> {
        self.users.iter().filter(|u| u.role == Role::Rep)
    }

    pub fn user(&self, id: UserId) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i64, role: Role, team: Option<&str>) -> User {
        User {
            id: UserId(id),
            name: format!("u{id}"),
            email: format!("u{id}@x"),
            role,
            team: team.map(Into::into),
        }
    }

    #[test]
    fn reps_see_themselves_managers_their_team_admins_everyone() {
        let all = vec![
            user(1, Role::Rep, Some("North")),
            user(2, Role::Rep, Some("South")),
            user(3, Role::Manager, Some("North")),
            user(4, Role::Admin, None),
            user(5, Role::Manager, None),
        ];
        let rep = Scope::new(all[0].clone(), all.clone());
        assert!(rep.sees_rep(UserId(1)) && !rep.sees_rep(UserId(2)));
        let manager = Scope::new(all[2].clone(), all.clone());
        assert!(manager.sees_rep(UserId(1)) && manager.sees_rep(UserId(3)));
        assert!(!manager.sees_rep(UserId(2)));
        // A manager without a team sees only themselves, never everyone.
        let loner = Scope::new(all[4].clone(), all.clone());
        assert!(!loner.sees_rep(UserId(1)) && loner.sees_rep(UserId(5)));
        let admin = Scope::new(all[3].clone(), all.clone());
        assert!((1..=5).all(|i| admin.sees_rep(UserId(i))));
    }
}
