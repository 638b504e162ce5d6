use super::*;

#[derive(Debug, Clone, PartialEq)]
struct Text(&'static str);

impl Content for Text {
    fn fingerprint(&self) -> String {
        self.0.to_string()
    }
}

fn seen(id: &str, key: &str, text: &'static str) -> Seen<Text> {
    Seen {
        id: id.into(),
        key: key.into(),
        day: None,
        content: Text(text),
    }
}

fn known(id: &str, hash: &str) -> Known {
    Known::Live {
        id: id.into(),
        hash: hash.into(),
    }
}

fn pair(p: Known, t: Known) -> Pair {
    Pair {
        id: 7,
        key: "k".into(),
        day: None,
        origin: Side::Personio,
        personio: p,
        timetrack: t,
        pending: None,
    }
}

const BOTH: Rules = Rules {
    to_personio: true,
    to_timetrack: true,
    master: Side::Personio,
};

fn only_step(steps: Vec<Step<Text>>) -> Step<Text> {
    assert_eq!(steps.len(), 1, "{steps:#?}");
    steps.into_iter().next().unwrap()
}

#[test]
fn an_unchanged_pair_needs_nothing() {
    let steps = reconcile(
        vec![pair(known("p1", "a"), known("t1", "a"))],
        &[seen("p1", "k", "a")],
        &[seen("t1", "k", "a")],
        BOTH,
    );
    assert!(steps.is_empty(), "{steps:?}");
}

#[test]
fn a_change_on_one_side_is_written_to_the_other() {
    let step = only_step(reconcile(
        vec![pair(known("p1", "a"), known("t1", "a"))],
        &[seen("p1", "k", "a")],
        &[seen("t1", "k", "b")],
        BOTH,
    ));
    let Step::Write {
        pair,
        to,
        content,
        conflict,
    } = step
    else {
        panic!("{step:?}")
    };
    assert_eq!((to, content, conflict), (Side::Personio, Text("b"), false));
    assert_eq!(pair.timetrack, known("t1", "b"));
    assert_eq!(pair.personio.id(), Some("p1"), "an update, not a create");
}

#[test]
fn a_change_against_the_direction_is_only_remembered() {
    let rules = Rules {
        to_personio: false,
        ..BOTH
    };
    let step = only_step(reconcile(
        vec![pair(known("p1", "a"), known("t1", "a"))],
        &[seen("p1", "k", "a")],
        &[seen("t1", "k", "b")],
        rules,
    ));
    assert_eq!(
        step,
        Step::Save {
            pair: pair(known("p1", "a"), known("t1", "b"))
        }
    );
}

#[test]
fn when_both_changed_the_master_wins() {
    for (master, to, text) in [
        (Side::Personio, Side::Timetrack, "p"),
        (Side::Timetrack, Side::Personio, "t"),
    ] {
        let step = only_step(reconcile(
            vec![pair(known("p1", "a"), known("t1", "a"))],
            &[seen("p1", "k", "p")],
            &[seen("t1", "k", "t")],
            Rules { master, ..BOTH },
        ));
        let Step::Write {
            to: got,
            content,
            conflict,
            ..
        } = step
        else {
            panic!()
        };
        assert_eq!((got, content, conflict), (to, Text(text), true));
    }
}

#[test]
fn the_same_change_on_both_sides_is_no_conflict() {
    let step = only_step(reconcile(
        vec![pair(known("p1", "a"), known("t1", "a"))],
        &[seen("p1", "k", "b")],
        &[seen("t1", "k", "b")],
        BOTH,
    ));
    assert_eq!(
        step,
        Step::Save {
            pair: pair(known("p1", "b"), known("t1", "b"))
        }
    );
}

#[test]
fn a_deletion_is_mirrored_and_a_deletion_against_a_change_follows_the_master() {
    let step = only_step(reconcile(
        vec![pair(known("p1", "a"), known("t1", "a"))],
        &[],
        &[seen("t1", "k", "a")],
        BOTH,
    ));
    assert!(
        matches!(
            step,
            Step::Delete {
                to: Side::Timetrack,
                conflict: false,
                ..
            }
        ),
        "{step:?}"
    );
    // Deleted in Personio, changed in TimeTrack: the master decides.
    let step = only_step(reconcile(
        vec![pair(known("p1", "a"), known("t1", "a"))],
        &[],
        &[seen("t1", "k", "b")],
        BOTH,
    ));
    assert!(
        matches!(
            step,
            Step::Delete {
                to: Side::Timetrack,
                conflict: true,
                ..
            }
        ),
        "{step:?}"
    );
    let step = only_step(reconcile(
        vec![pair(known("p1", "a"), known("t1", "a"))],
        &[],
        &[seen("t1", "k", "b")],
        Rules {
            master: Side::Timetrack,
            ..BOTH
        },
    ));
    let Step::Write {
        pair,
        to: Side::Personio,
        conflict: true,
        ..
    } = step
    else {
        panic!("{step:?}")
    };
    assert_eq!(pair.personio, Known::Absent, "re-created, not updated");
}

#[test]
fn a_deletion_against_the_direction_marks_the_side_gone_and_stays_quiet() {
    let push = Rules {
        to_timetrack: false,
        ..BOTH
    };
    let step = only_step(reconcile(
        vec![pair(known("p1", "a"), known("t1", "a"))],
        &[],
        &[seen("t1", "k", "a")],
        push,
    ));
    let Step::Save { pair: saved } = step else {
        panic!("{step:?}")
    };
    assert_eq!(saved.personio, Known::Gone);
    let again = reconcile(vec![saved], &[], &[seen("t1", "k", "a")], push);
    assert!(again.is_empty(), "{again:?}");
}

#[test]
fn gone_on_both_sides_forgets_the_pair() {
    let step = only_step(reconcile::<Text>(
        vec![pair(known("p1", "a"), known("t1", "a"))],
        &[],
        &[],
        BOTH,
    ));
    assert_eq!(step, Step::Forget { pair: 7 });
}

#[test]
fn new_items_are_created_on_the_other_side_and_twins_are_adopted() {
    let steps = reconcile(
        vec![],
        &[seen("p1", "k1", "a"), seen("p2", "k2", "x")],
        &[seen("t1", "k1", "a"), seen("t3", "k3", "c")],
        BOTH,
    );
    assert_eq!(steps.len(), 3, "{steps:#?}");
    assert!(
        matches!(&steps[0], Step::Save { pair } if pair.personio.id() == Some("p1") && pair.timetrack.id() == Some("t1"))
    );
    assert!(
        matches!(&steps[1], Step::Write { to: Side::Timetrack, pair, .. } if pair.timetrack == Known::Absent && pair.origin == Side::Personio)
    );
    assert!(
        matches!(&steps[2], Step::Write { to: Side::Personio, pair, .. } if pair.origin == Side::Timetrack)
    );
}

#[test]
fn twins_with_different_content_follow_the_master() {
    let step = only_step(reconcile(
        vec![],
        &[seen("p1", "k1", "a")],
        &[seen("t1", "k1", "b")],
        Rules {
            master: Side::Timetrack,
            ..BOTH
        },
    ));
    let Step::Write {
        to,
        content,
        conflict,
        pair,
    } = step
    else {
        panic!()
    };
    assert_eq!((to, content, conflict), (Side::Personio, Text("b"), true));
    assert_eq!(pair.personio.id(), Some("p1"), "an update of the twin");
}

#[test]
fn new_items_are_not_created_against_the_direction() {
    let push = Rules {
        to_timetrack: false,
        ..BOTH
    };
    let steps = reconcile(vec![], &[seen("p1", "k1", "a")], &[], push);
    assert!(steps.is_empty(), "{steps:?}");
}

#[test]
fn a_create_whose_answer_was_lost_adopts_the_item_instead_of_writing_again() {
    let mut waiting = pair(known("p1", "a"), Known::Absent);
    waiting.pending = Some(Side::Timetrack);
    let step = only_step(reconcile(
        vec![waiting.clone()],
        &[seen("p1", "k", "a")],
        &[seen("t9", "k", "a")],
        BOTH,
    ));
    let Step::Save { pair } = step else {
        panic!("{step:?}")
    };
    assert_eq!((pair.timetrack.id(), pair.pending), (Some("t9"), None));
    // Nothing there: the create is sent again.
    let step = only_step(reconcile(vec![waiting], &[seen("p1", "k", "a")], &[], BOTH));
    assert!(
        matches!(
            step,
            Step::Write {
                to: Side::Timetrack,
                conflict: false,
                ..
            }
        ),
        "{step:?}"
    );
}

#[test]
fn an_unfinished_update_is_finished_from_the_other_side() {
    let mut waiting = pair(known("p1", "a"), known("t1", "a"));
    waiting.pending = Some(Side::Timetrack);
    let step = only_step(reconcile(
        vec![waiting],
        &[seen("p1", "k", "b")],
        &[seen("t1", "k", "a")],
        Rules {
            master: Side::Timetrack,
            ..BOTH
        },
    ));
    let Step::Write { to, content, .. } = step else {
        panic!("{step:?}")
    };
    assert_eq!((to, content), (Side::Timetrack, Text("b")));
}

#[test]
fn an_item_skipped_this_run_is_not_read_as_deleted() {
    let pairs = vec![pair(known("p1", "a"), known("t1", "a"))];
    let skipped = HashSet::from(["t1".to_string()]);
    let (pairs, p, t) = set_aside(
        pairs,
        vec![seen("p1", "k", "b")],
        vec![],
        &HashSet::new(),
        &skipped,
    );
    let steps = reconcile(pairs, &p, &t, BOTH);
    assert!(steps.is_empty(), "{steps:?}");
}
