//! Who is asking and what they may see: a rep their own territory, a manager their
//! team's, an administrator the whole organisation, and the local operator (the
//! `rounds` command line on the machine that holds the database) everything too.
//! Everything outside answers `NotFound`, exactly as an id that does not exist, so ids
//! outside one's scope reveal nothing.

use std::collections::BTreeSet;

use rounds_core::model::{Account, OrgId, Role, User, UserId};
use rounds_store::Store;

use crate::Result;

/// Whose rights a scope carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    Rep,
    Manager,
    Admin,
    /// The command line, run by whoever holds the database: sees the whole organisation
    /// and may administer it, like an administrator, without being a user.
    Operator,
}

#[derive(Debug, Clone)]
pub struct Scope {
    pub kind: ScopeKind,
    /// The users whose territories are visible; `None` for all.
    reps: Option<BTreeSet<UserId>>,
    /// Every user of the organisation within the scope, by id.
    pub users: Vec<User>,
}

impl Scope {
    /// The scope of a signed-in user; `everyone` is every user of their organisation.
    pub fn for_user(me: &User, everyone: Vec<User>) -> Scope {
        let (kind, reps) = match me.role {
            Role::Admin => (ScopeKind::Admin, None),
            Role::Rep => (ScopeKind::Rep, Some(BTreeSet::from([me.id]))),
            Role::Manager => (
                ScopeKind::Manager,
                // A manager without a team sees only themselves, never everyone.
                Some(
                    everyone
                        .iter()
                        .filter(|u| u.id == me.id || (me.team.is_some() && u.team == me.team))
                        .map(|u| u.id)
                        .collect(),
                ),
            ),
        };
        let users = everyone
            .into_iter()
            .filter(|u| reps.as_ref().is_none_or(|r| r.contains(&u.id)))
            .collect();
        Scope { kind, reps, users }
    }

    /// The local operator's scope: everyone.
    pub fn operator(everyone: Vec<User>) -> Scope {
        Scope {
            kind: ScopeKind::Operator,
            reps: None,
            users: everyone,
        }
    }

    pub fn sees_rep(&self, rep: UserId) -> bool {
        self.reps.as_ref().is_none_or(|r| r.contains(&rep))
    }

    /// The reps whose records this scope sees, for a store's scoped reads; `None` for
    /// every rep.
    pub fn rep_list(&self) -> Option<Vec<UserId>> {
        self.reps.as_ref().map(|r| r.iter().copied().collect())
    }

    pub fn sees_account(&self, account: &Account) -> bool {
        self.sees_rep(account.rep)
    }

    /// Administrators and the operator manage users and tokens.
    pub fn is_admin(&self) -> bool {
        matches!(self.kind, ScopeKind::Admin | ScopeKind::Operator)
    }

    /// Managers, administrators and the operator keep the shared topic library and see
    /// more than one plan.
    pub fn is_lead(&self) -> bool {
        self.kind != ScopeKind::Rep
    }

    /// The reps whose plans this scope may open.
    pub fn reps(&self) -> impl Iterator<Item = &User> {
        self.users.iter().filter(|u| u.role == Role::Rep)
    }

    pub fn user(&self, id: UserId) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }
}

/// Who performs a use case: the organisation, the signed-in user (none for the local
/// operator) and what they may see.
#[derive(Debug, Clone)]
pub struct Actor {
    pub org: OrgId,
    pub user: Option<User>,
    pub scope: Scope,
}

impl Actor {
    /// A signed-in user, whose scope is computed from `everyone` in the organisation.
    pub fn user(org: OrgId, me: User, everyone: Vec<User>) -> Actor {
        let scope = Scope::for_user(&me, everyone);
        Actor {
            org,
            user: Some(me),
            scope,
        }
    }

    /// The local operator of `org`, seeing every user in `everyone`.
    pub fn operator(org: OrgId, everyone: Vec<User>) -> Actor {
        Actor {
            org,
            user: None,
            scope: Scope::operator(everyone),
        }
    }

    /// Loads the organisation's users and builds the actor: `me` is `None` for the
    /// local operator.
    pub async fn load<S: Store + Sync>(store: &S, org: OrgId, me: Option<User>) -> Result<Actor> {
        let everyone = store.users(org).await?;
        Ok(match me {
            Some(me) => Actor::user(org, me, everyone),
            None => Actor::operator(org, everyone),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i64, role: Role, team: Option<&str>) -> User {
        User {
            id: UserId(id),
            name: format!("u{id}"),
            email: format!("u{id}@x.example"),
            role,
            team: team.map(Into::into),
        }
    }

    #[test]
    fn reps_see_themselves_managers_their_team_admins_and_the_operator_everyone() {
        let all = vec![
            user(1, Role::Rep, Some("North")),
            user(2, Role::Rep, Some("South")),
            user(3, Role::Manager, Some("North")),
            user(4, Role::Admin, None),
            user(5, Role::Manager, None),
        ];
        let rep = Scope::for_user(&all[0], all.clone());
        assert!(rep.sees_rep(UserId(1)) && !rep.sees_rep(UserId(2)));
        assert!(!rep.is_lead() && !rep.is_admin());
        let manager = Scope::for_user(&all[2], all.clone());
        assert!(manager.sees_rep(UserId(1)) && manager.sees_rep(UserId(3)));
        assert!(!manager.sees_rep(UserId(2)));
        let loner = Scope::for_user(&all[4], all.clone());
        assert!(!loner.sees_rep(UserId(1)) && loner.sees_rep(UserId(5)));
        let admin = Scope::for_user(&all[3], all.clone());
        assert!((1..=5).all(|i| admin.sees_rep(UserId(i))));
        let operator = Scope::operator(all.clone());
        assert!((1..=5).all(|i| operator.sees_rep(UserId(i))));
        assert!(operator.is_admin() && operator.is_lead());
        assert_eq!(operator.reps().count(), 2);
    }
}
