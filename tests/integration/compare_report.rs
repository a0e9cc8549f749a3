//! `slant compare` and `slant report` on a hand-made run directory.

use std::path::Path;

use slant::aggregate::Axis;
use slant::compare::{self, CompareOptions, GroupBy, Run, VoiceFilter};
use slant::corpus::FieldMap;
use slant::schema::{Counts, ModelInfo, RunFlags, RunManifest, TableRecord};

/// Two outlets; article framings North (0.5, 0.3), South (-0.2, -0.4, none); one article
/// without mentions; dates in two months. Stories: e1 = n1 + s1, e2 = n2 + s2, e3 = s3; s4
/// has none.
fn write_run(dir: &Path) {
    std::fs::write(
        dir.join("articles.csv"),
        // compare recomputes article numbers from the mentions: they are left empty here.
        "article_id,outlet,date,title,story,mentions,actors,framing,framing_own,\
         left_mentions,left_score,right_mentions,right_score\n\
         n1,North,2023-01-05,,e1,1,1,,,0,,0,\nn2,North,2023-02-01,,e2,2,2,,,0,,0,\n\
         s1,South,2023-01-09,,e1,1,1,,,0,,0,\ns2,South,2023-02-03,,e2,1,1,,,0,,0,\n\
         s3,South,2023-02-04,,e3,1,1,,,0,,0,\ns4,South,,,,0,0,,,0,,0,\n",
    )
    .unwrap();
    let header = "article_id,outlet,actor_id,camp,sentence_start,sentence_end,start,end,mention,form,antecedent_start,antecedent_end,antecedent,context,p_negative,p_neutral,p_positive,score,voice,speaker_id,speaker_camp,speaker_text\n";
    let rows = [
        ("n1", "North", "ann", "left", "Ann won.", "0.5"),
        (
            "n2",
            "North",
            "ann",
            "left",
            "Ann was praised, Bo was not.",
            "0.8",
        ),
        (
            "n2",
            "North",
            "bo",
            "right",
            "Ann was praised, Bo was not.",
            "0.2",
        ),
        ("s1", "South", "ann", "left", "Ann failed.", "-0.2"),
        ("s2", "South", "bo", "right", "Bo won.", "0.4"),
        ("s3", "South", "cy", "neutral", "Cy spoke.", "0.0"),
    ];
    let mut text = header.to_string();
    for (a, o, actor, camp, sentence, s) in rows {
        let mention = if actor == "ann" {
            "Ann"
        } else if actor == "bo" {
            "Bo"
        } else {
            "Cy"
        };
        let start = sentence.find(mention).unwrap();
        // South's "Bo won." is Ann's words, quoted.
        let voice = if a == "s2" {
            "quoted,ann,left,Ann"
        } else {
            "own,,,"
        };
        text += &format!(
            "{a},{o},{actor},{camp},0,{},{start},{},{mention},name,,,,\"{sentence}\",0,0,0,{s},{voice}\n",
            sentence.len(),
            start + mention.len()
        );
    }
    std::fs::write(dir.join("mentions.csv"), text).unwrap();
    std::fs::write(
        dir.join("voices.csv"),
        "outlet,voice,speaker_id,speaker_text,actor_id,camp,mentions,score\n\
         South,quoted,ann,Ann,bo,right,1,0.400000\n",
    )
    .unwrap();
    write_manifest(dir, Axis::parse(&["left,right"]));
}

/// What run.json records of a hand-written table (absent files are not listed).
fn record(dir: &Path, file: &str) -> Option<TableRecord> {
    let bytes = std::fs::read(dir.join(file)).ok()?;
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
    Some(TableRecord {
        file: file.into(),
        rows: lines - 1,
        sha256: slant::util::sha256_hex(&bytes),
    })
}

/// A run.json as `slant score` writes it, scored on `axis`.
fn write_manifest(dir: &Path, axis: Option<Axis>) {
    RunManifest {
        slant_version: "test".into(),
        model: ModelInfo {
            id: "hand-made".into(),
            path: "-".into(),
            sha256: "-".into(),
            base_sha256: None,
            backend: "none".into(),
            temperature: None,
            with: Vec::new(),
            ensemble_temperature: None,
        },
        registry: Vec::new(),
        actors: 3,
        camps: vec!["left".into(), "right".into()],
        names: [("ann", "Ann Arbor"), ("bo", "Bo Berg"), ("cy", "Cy Cole")]
            .into_iter()
            .map(|(id, name)| (id.to_string(), name.to_string()))
            .collect(),
        inputs: Vec::new(),
        flags: RunFlags {
            axis,
            fields: FieldMap::default(),
            strict: false,
            resamples: 0,
            seed: 0,
            chunk_size: 1,
            voice: Default::default(),
            stories: Default::default(),
            tone_voices: Default::default(),
            references: Default::default(),
            shard: None,
        },
        counts: Counts {
            records: 6,
            ..Counts::default()
        },
        tables: ["articles.csv", "mentions.csv", "voices.csv"]
            .iter()
            .filter_map(|file| record(dir, file))
            .collect(),
        columns: Default::default(),
        seconds: 0.0,
        parts: Vec::new(),
    }
    .write(dir)
    .unwrap();
}

fn options() -> CompareOptions {
    CompareOptions {
        within_story: false,
        resamples: 500,
        seed: 5,
        min_mentions: 2,
        evidence: 2,
        tone_voices: None,
    }
}

fn groups_pairs_actors_and_evidence_match_hand_computation() {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path());
    let run = Run::load(dir.path(), GroupBy::Outlet, None, VoiceFilter::All).unwrap();
    let c = compare::compare(&run, &options()).unwrap();
    assert_eq!(c.axis, Axis::parse(&["left,right"]).unwrap());
    let north = &c.groups[0];
    let south = &c.groups[1];
    assert_eq!(
        (
            north.outlet.as_str(),
            north.stats.articles,
            north.stats.articles_framed,
            north.stats.mentions
        ),
        ("North", 2, 2, 3)
    );
    // n1: +0.5; n2: (+0.8 − 0.2) / 2 = +0.3 -> North 0.4. s1: −0.2; s2: −0.4; s3 off-axis -> South −0.3.
    assert!((north.stats.framing.unwrap() - 0.4).abs() < 1e-12);
    assert!((south.stats.framing.unwrap() + 0.3).abs() < 1e-12);
    assert_eq!((south.stats.articles, south.stats.articles_framed), (4, 2));
    // Salience: North has 2 of 3 mentions on the left camp.
    let left = north.stats.camps.iter().find(|c| c.camp == "left").unwrap();
    assert_eq!(left.mentions, 2);
    assert!((left.share.unwrap() - 2.0 / 3.0).abs() < 1e-12);
    assert!((left.mean.unwrap() - 0.65).abs() < 1e-12);

    // Tone. Ann (left): North's cell mean 0.65 (2 mentions), South's -0.2 (1); Bo (right):
    // North 0.2, South 0.4. One actor a side, so each side's gap is the difference of the
    // cell means (0.85 and -0.2), centred on the mention-weighted mean: left North +0.85/3,
    // South -1.7/3; right North -0.1, South +0.1. tone = (left - right) / 2.
    let tone = |g: &slant::schema::compare::GroupRow| g.relative.tone.value.unwrap();
    assert!(
        (tone(north) - (0.85 / 3.0 + 0.1) / 2.0).abs() < 1e-9,
        "{}",
        tone(north)
    );
    assert!(
        (tone(south) - (-1.7 / 3.0 - 0.1) / 2.0).abs() < 1e-9,
        "{}",
        tone(south)
    );
    // Coverage: North 2 of 3 axis mentions are left, South 1 of 2 (Cy is off the axis);
    // corpus 3 of 5.
    let coverage = |g: &slant::schema::compare::GroupRow| g.relative.coverage.value.unwrap();
    assert!((coverage(north) - (2.0 / 3.0 - 0.6)).abs() < 1e-12);
    assert!((coverage(south) - (0.5 - 0.6)).abs() < 1e-12);
    // Sources: South's one quoted speaker is Ann (left), the corpus's only one: 1 - 1.
    assert_eq!(south.relative.sources.value, Some(0.0));
    assert_eq!(north.relative.sources.value, None, "North quotes nobody");

    assert_eq!(c.pairs.len(), 1);
    let p = &c.pairs[0];
    assert!((p.framing.diff.value.unwrap() - 0.7).abs() < 1e-12);
    // Two articles a side: of the 6 splits of the pooled four, only the observed one and its
    // mirror are as extreme, so the exact two-sided p is 1/3.
    assert!(
        (p.framing.p_value.unwrap() - 1.0 / 3.0).abs() < 0.07,
        "{:?}",
        p.framing.p_value
    );
    assert_eq!(
        p.framing.p_adjusted, p.framing.p_value,
        "one pair: BH changes nothing"
    );
    assert!((p.tone.diff.value.unwrap() - (tone(north) - tone(south))).abs() < 1e-12);
    assert!(p.tone.p_value.is_some_and(|p| p > 0.0 && p <= 1.0));

    let ann_north = c
        .actor_outlet
        .iter()
        .find(|a| a.actor_id == "ann" && a.outlet == "North")
        .unwrap();
    assert_eq!(
        (
            ann_north.mentions,
            ann_north.articles,
            ann_north.few_mentions
        ),
        (2, 2, false)
    );
    assert!((ann_north.mean.unwrap() - 0.65).abs() < 1e-12);
    let cy = c.actor_outlet.iter().find(|a| a.actor_id == "cy").unwrap();
    assert!(cy.few_mentions, "flagged, not hidden");

    // North/left evidence: n1's mention is the whole article's framing (0.5), n2's Ann half of it (0.4).
    let ev: Vec<_> = c
        .evidence
        .iter()
        .filter(|e| e.outlet == "North" && e.camp == "left")
        .collect();
    assert_eq!(ev.len(), 2);
    assert_eq!((ev[0].article_id.as_str(), ev[0].rank), ("n1", 1));
    assert!((ev[0].weight - 0.5).abs() < 1e-12 && (ev[1].weight - 0.4).abs() < 1e-12);

    let out = dir.path().join("compare");
    compare::write(&c, &out).unwrap();
    for table in [
        "groups.csv",
        "pairs.csv",
        "actor_outlet.csv",
        "evidence.csv",
    ] {
        assert!(out.join(table).is_file(), "{table}");
    }
    let groups = std::fs::read_to_string(out.join("groups.csv")).unwrap();
    assert!(groups.starts_with("outlet,period,articles,articles_framed,mentions,tone,tone_low,tone_high,coverage,coverage_low,coverage_high,sources,sources_low,sources_high,framing,framing_low,framing_high,framing_own,framing_own_low,framing_own_high,tone_story,tone_story_low,tone_story_high,left_mentions,left_share,left_mean,left_low,left_high"));
    assert!(compare::summary(&c).contains("North vs South"));
}

fn periods_and_axis_override() {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path());
    let run = Run::load(
        dir.path(),
        GroupBy::OutletMonth,
        Axis::parse(&["right,left"]),
        VoiceFilter::All,
    )
    .unwrap();
    let c = compare::compare(&run, &options()).unwrap();
    let periods: Vec<(&str, &str)> = c
        .groups
        .iter()
        .map(|g| (g.outlet.as_str(), g.period.as_str()))
        .collect();
    assert_eq!(
        periods,
        [
            ("North", "2023-01"),
            ("South", "2023-01"),
            ("North", "2023-02"),
            ("South", "2023-02"),
            ("South", "unknown")
        ]
    );
    // The axis flipped: n1 now frames −0.5.
    assert!((c.groups[0].stats.framing.unwrap() + 0.5).abs() < 1e-12);
    // Pairs only within a period; single-article groups give no test.
    assert!(c
        .pairs
        .iter()
        .all(|p| p.framing.p_value.is_none() && p.tone.p_value.is_none()));
}

fn missing_tables_are_named() {
    let dir = tempfile::tempdir().unwrap();
    write_manifest(dir.path(), None);
    let err = Run::load(dir.path(), GroupBy::Outlet, None, VoiceFilter::All)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("--axis"), "{err}");
    let err = Run::load(
        dir.path(),
        GroupBy::Outlet,
        Axis::parse(&["a,b"]),
        VoiceFilter::All,
    )
    .err()
    .unwrap()
    .to_string();
    assert!(err.contains("articles.csv"), "{err}");
}

fn report_is_self_contained_with_its_charts() {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path());
    let run = Run::load(dir.path(), GroupBy::Outlet, None, VoiceFilter::All).unwrap();
    let c = compare::compare(&run, &options()).unwrap();
    let html_path = dir.path().join("report.html");
    let png = dir.path().join("png");
    let written =
        slant::report::write_report(dir.path(), &c, &options(), &html_path, Some(&png)).unwrap();
    assert_eq!(written.len(), 6);
    let html = std::fs::read_to_string(&html_path).unwrap();
    for class in ["chart forest", "chart heatmap", "chart timeline"] {
        assert!(html.contains(class), "missing {class}");
    }
    // Tone leads: its plot and the plain words come before framing's plot.
    let at = |needle: &str| {
        html.find(needle)
            .unwrap_or_else(|| panic!("missing {needle}"))
    };
    assert!(at("aria-label=\"Outlet tone") < at("aria-label=\"Outlet framing"));
    assert!(at("<b>Tone</b> (the headline)") < at("aria-label=\"Outlet tone"));
    assert!(html.contains("Coverage and sources: whom each outlet writes about"));
    // Ann in North: 0.65 against the run's (0.5 + 0.8 - 0.2) / 3 = 0.3667.
    assert!(
        html.contains("Ann Arbor in North: +0.283"),
        "the heatmap speaks in names"
    );
    // Names, never ids, where people read: heatmap rows, the speaker matrix, the evidence.
    assert!(html.contains("<title>Ann Arbor</title>Ann Arbor</text>"));
    assert!(
        html.contains("<tr><td>Ann Arbor</td>"),
        "evidence names the actor"
    );
    for id in [">ann<", ">bo<", ">cy<", "ann in North"] {
        assert!(!html.contains(id), "found the id {id}");
    }
    // Numbers sit right-aligned under right-aligned headers.
    assert!(html.contains("<th class=\"num\">tone difference</th>"));
    assert!(html.contains("td.num,th.num{text-align:right"));
    assert!(
        html.contains("<mark>Ann</mark>"),
        "evidence highlights the mention"
    );
    assert!(html.contains("name=\"viewport\""));
    // Nothing to fetch: no scripts, stylesheets, images or fonts from anywhere.
    for needle in [
        "<script", "<link", "<img", "<iframe", "@import", "url(", "src=", "href=",
    ] {
        assert!(!html.contains(needle), "found {needle}");
    }
    for name in [
        "forest.png",
        "framing.png",
        "heatmap.png",
        "relative.png",
        "timeline.png",
    ] {
        let bytes = std::fs::read(png.join(name)).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{name}");
        assert!(bytes.len() > 2000, "{name} has content");
    }
    assert!(html.contains("In their own words, and in the words they quote"));
    // The matrix row of speaker Ann Arbor, about Bo Berg: one mention, +0.40.
    let matrix = &html[html.find("Who speaks about whom").unwrap()..];
    assert!(
        matrix.contains("<th class=\"num\">Bo Berg</th></tr><tr><th>Ann Arbor</th><td class=\"num pos\">+0.40 <span class=\"note\">(1)</span></td>"),
        "{matrix}"
    );
}

/// `--voice own` leaves South's quoted "Bo won." out, `--voice quoted` keeps only it.
fn compare_counts_the_voices_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path());
    let south = |voice: VoiceFilter| {
        let run = Run::load(dir.path(), GroupBy::Outlet, None, voice).unwrap();
        let c = compare::compare(&run, &options()).unwrap();
        assert_eq!(c.voice, voice);
        let south = c.groups.iter().find(|g| g.outlet == "South").unwrap();
        (south.stats.mentions, south.stats.framing)
    };
    // All: framings -0.2 (Ann), -0.4 (Bo +0.4 on the right), none for Cy.
    let (mentions, framing) = south(VoiceFilter::All);
    assert_eq!(mentions, 3);
    assert!((framing.unwrap() - (-0.3)).abs() < 1e-9);
    let (mentions, framing) = south(VoiceFilter::Own);
    assert_eq!(mentions, 2);
    assert!((framing.unwrap() - (-0.2)).abs() < 1e-9);
    let (mentions, framing) = south(VoiceFilter::Quoted);
    assert_eq!(mentions, 1);
    assert!((framing.unwrap() - (-0.4)).abs() < 1e-9);
}

/// Within stories: North − South is 0.5 − (−0.2) in e1 and 0.3 − (−0.4) in e2; e3 has no
/// North article. Agenda: North mentions the left in both its stories and the right in e2;
/// South one camp in each of its three.
fn within_story_differences_and_agenda_match_hand_computation() {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path());
    let run = Run::load(dir.path(), GroupBy::Outlet, None, VoiceFilter::All).unwrap();
    assert!(run.has_stories());
    let plain = compare::compare(&run, &options()).unwrap();
    assert!(plain.within.is_empty() && plain.agenda.is_empty());
    let c = compare::compare(
        &run,
        &CompareOptions {
            within_story: true,
            ..options()
        },
    )
    .unwrap();
    let [pair] = &c.within[..] else {
        panic!("{:?}", c.within)
    };
    assert_eq!(
        (pair.outlet_a.as_str(), pair.outlet_b.as_str()),
        ("North", "South")
    );
    assert_eq!((pair.stories, pair.articles_a, pair.articles_b), (2, 2, 2));
    assert!((pair.diff.unwrap() - 0.7).abs() < 1e-9);
    let (low, high) = pair.ci.unwrap();
    assert!((low - 0.7).abs() < 1e-9 && (high - 0.7).abs() < 1e-9);
    // Two stories, one article a side: of the four label swaps, two are as extreme.
    assert!(
        (pair.p_value.unwrap() - 0.5).abs() < 0.1,
        "{:?}",
        pair.p_value
    );
    let share = |outlet: &str, camp: &str| {
        let row = c
            .agenda
            .iter()
            .find(|r| r.outlet == outlet && r.camp == camp)
            .unwrap();
        (row.stories, row.stories_mentioning)
    };
    assert_eq!(share("North", "left"), (2, 2));
    assert_eq!(share("North", "right"), (2, 1));
    assert_eq!(share("North", "neutral"), (2, 0));
    assert_eq!(share("South", "neutral"), (3, 1));
    // Tone with the story held constant: actor effects per story. Ann in e1 (North +0.5,
    // South -0.2) and Bo in e2 (North +0.2, South +0.4) are shared; Ann in e2 is North's
    // alone and cannot separate North's view from her level (five cells of one mention each
    // leave no variance to shrink by). Left: North - South = 0.7, centred with North's 2
    // left mentions to South's 1; right: -0.2, centred 1 to 1.
    let tone_story = |outlet: &str| {
        let g = c.groups.iter().find(|g| g.outlet == outlet).unwrap();
        g.tone_story.value.unwrap()
    };
    assert!((tone_story("North") - (0.7 / 3.0 + 0.1) / 2.0).abs() < 1e-9);
    assert!((tone_story("South") - (-1.4 / 3.0 - 0.1) / 2.0).abs() < 1e-9);
    assert!(plain.groups.iter().all(|g| g.tone_story.value.is_none()));
    let out = dir.path().join("compare");
    compare::write(&c, &out).unwrap();
    let table = std::fs::read_to_string(out.join("within_story.csv")).unwrap();
    assert!(table.starts_with("outlet_a,outlet_b,stories,articles_a,articles_b,diff,"));
    assert!(table.contains("North,South,2,2,2,0.700000,"), "{table}");
    let html_path = dir.path().join("report.html");
    slant::report::write_report(dir.path(), &c, &options(), &html_path, None).unwrap();
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(html.contains("Same story, different framing"));
    assert!(html.contains("Agenda: what each outlet covers"));
}

/// `--within story` on a run without stories says how to get them.
fn within_story_needs_stories() {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path());
    let articles = dir.path().join("articles.csv");
    let text = std::fs::read_to_string(&articles).unwrap();
    let unstoried: String = text
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let mut cells: Vec<&str> = line.split(',').collect();
            if i > 0 {
                cells[4] = "";
            }
            cells.join(",") + "\n"
        })
        .collect();
    std::fs::write(&articles, unstoried).unwrap();
    write_manifest(dir.path(), Axis::parse(&["left,right"]));
    let run = Run::load(dir.path(), GroupBy::Outlet, None, VoiceFilter::All).unwrap();
    let err = compare::compare(
        &run,
        &CompareOptions {
            within_story: true,
            ..options()
        },
    )
    .err()
    .unwrap()
    .to_string();
    assert!(err.contains("--stories auto"), "{err}");
}

crate::trials! {
    within_story_differences_and_agenda_match_hand_computation,
    within_story_needs_stories,
    groups_pairs_actors_and_evidence_match_hand_computation,
    periods_and_axis_override,
    missing_tables_are_named,
    report_is_self_contained_with_its_charts,
    compare_counts_the_voices_asked_for,
}
