//! RFC 6962 / RFC 9162 test vectors (the reference leaves of transparency-dev/merkle
//! `testonly/constants.go`, roots and proofs from its `testdata/`), every proof for trees of up
//! to 8 leaves (and beyond) cross-checked against an independent brute-force construction, and
//! the transparency-dev style negative cases.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use custody_audit::{
    Hash, consistency_proof, empty_root, inclusion_proof, leaf_hash, node_hash, root, verify_consistency,
    verify_inclusion,
};

const LEAVES_HEX: [&str; 8] =
    ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];

const ROOTS_HEX: [&str; 9] = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex")).collect()
}

fn h(b64: &str) -> Hash {
    STANDARD.decode(b64).expect("base64").try_into().expect("32 bytes")
}

fn hs(b64s: &[&str]) -> Vec<Hash> {
    b64s.iter().map(|s| h(s)).collect()
}

fn reference_leaves() -> Vec<Hash> {
    LEAVES_HEX.iter().map(|x| leaf_hash(&unhex(x))).collect()
}

fn synthetic_leaves(n: usize) -> Vec<Hash> {
    (0..n as u32).map(|i| leaf_hash(&i.to_le_bytes())).collect()
}

/// Independent construction: the tree built level by level, pairing left to right and
/// promoting an unpaired last node unchanged (RFC 6962 §2.1's picture), which yields the same
/// left-balanced tree as the largest-power-of-two split but by a different route.
fn levels(leaves: &[Hash]) -> Vec<Vec<Hash>> {
    let mut out = vec![leaves.to_vec()];
    while let Some(prev) = out.last().filter(|l| l.len() > 1) {
        let next = prev.chunks(2).map(|c| if c.len() == 2 { node_hash(&c[0], &c[1]) } else { c[0] }).collect();
        out.push(next);
    }
    out
}

fn brute_root(leaves: &[Hash]) -> Hash {
    if leaves.is_empty() {
        return empty_root();
    }
    let lv = levels(leaves);
    lv[lv.len() - 1][0]
}

/// Audit path by walking up the levels: the sibling at each level, when it exists.
fn brute_inclusion(leaves: &[Hash], index: usize) -> Vec<Hash> {
    let lv = levels(leaves);
    let (mut node, mut last, mut proof) = (index, leaves.len() - 1, Vec::new());
    let mut level = 0;
    while last > 0 {
        let sib = node ^ 1;
        if sib <= last {
            proof.push(lv[level][sib]);
        }
        node >>= 1;
        last >>= 1;
        level += 1;
    }
    proof
}

/// Consistency proof by walking up the levels (the certificate-transparency reference
/// algorithm): skip the levels where the old tree's last node is a right child, emit that
/// node unless the old tree is a perfect tree, then every existing sibling on the way up.
fn brute_consistency(leaves: &[Hash], old: usize) -> Vec<Hash> {
    let n = leaves.len();
    if old == n {
        return vec![];
    }
    let lv = levels(leaves);
    let (mut node, mut last, mut level) = (old - 1, n - 1, 0);
    while node & 1 == 1 {
        node >>= 1;
        last >>= 1;
        level += 1;
    }
    let mut proof = Vec::new();
    if node != 0 {
        proof.push(lv[level][node]);
    }
    while last > 0 {
        let sib = node ^ 1;
        if sib <= last {
            proof.push(lv[level][sib]);
        }
        node >>= 1;
        last >>= 1;
        level += 1;
    }
    proof
}

#[test]
fn reference_roots_for_sizes_0_to_8() {
    let leaves = reference_leaves();
    for (size, want) in ROOTS_HEX.iter().enumerate() {
        assert_eq!(root(&leaves[..size]).to_vec(), unhex(want), "size {size}");
        assert_eq!(brute_root(&leaves[..size]).to_vec(), unhex(want), "brute size {size}");
    }
    assert_eq!(empty_root().to_vec(), unhex(ROOTS_HEX[0]));
}

/// transparency-dev/merkle testdata/inclusion/{0..4}/happy-path.json.
#[test]
fn transparency_dev_inclusion_happy_paths() {
    let cases: Vec<(u64, u64, &str, &str, Vec<&str>)> = vec![
        (0, 1, "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=", "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=", vec![]),
        (
            0,
            8,
            "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",
            "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=",
            vec![
                "lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=",
                "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
                "a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ=",
            ],
        ),
        (
            5,
            8,
            "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",
            "QnGia+DYqE8L1UyMMC58s6O10fpngKQLzOKHNHfatlg=",
            vec![
                "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=",
                "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
                "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
            ],
        ),
        (
            2,
            3,
            "rra8/idLcKFPsGel5VeCZNsPqbUa9eC6FZFY8yngbnc=",
            "ApjRIpBtz8EIkstTpzmS/FufST6kybrbJ7eRtBJ6f+c=",
            vec!["+sVCA+fMaWzw38tCySodnbr3CtnmIfS9jZhmLwDjwSU="],
        ),
        (
            1,
            5,
            "Tju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ=",
            "lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=",
            vec![
                "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=",
                "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
                "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=",
            ],
        ),
    ];
    let leaves = reference_leaves();
    for (index, size, root_b64, leaf_b64, proof) in cases {
        let (r, leaf, proof) = (h(root_b64), h(leaf_b64), hs(&proof));
        assert!(verify_inclusion(&leaf, index, size, &proof, &r), "{index}/{size}");
        assert_eq!(leaf, leaves[index as usize]);
        assert_eq!(root(&leaves[..size as usize]), r);
        assert_eq!(inclusion_proof(&leaves[..size as usize], index).unwrap(), proof, "{index}/{size}");
        assert_negative_inclusion(&leaf, index, size, &proof, &r);
    }
}

/// transparency-dev/merkle testdata/consistency/{0..4}/happy-path.json.
#[test]
fn transparency_dev_consistency_happy_paths() {
    let cases: Vec<(u64, u64, &str, &str, Vec<&str>)> = vec![
        (1, 1, "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=", "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=", vec![]),
        (
            1,
            8,
            "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=",
            "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",
            vec![
                "lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=",
                "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
                "a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ=",
            ],
        ),
        (
            6,
            8,
            "duZ9rbzfHhDht03cYIq9L5jfsW+851J3tSMqEn8gh+8=",
            "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",
            vec![
                "DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=",
                "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
                "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
            ],
        ),
        (
            2,
            5,
            "+sVCA+fMaWzw38tCySodnbr3CtnmIfS9jZhmLwDjwSU=",
            "Tju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ=",
            vec!["Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=", "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms="],
        ),
        (
            6,
            7,
            "duZ9rbzfHhDht03cYIq9L5jfsW+851J3tSMqEn8gh+8=",
            "3bib5AOAnjJXUNPSY814kpwpQreUKjS3fhIslZSnTIw=",
            vec![
                "DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=",
                "sIaT7C5yFZcTBkHoIR5+7cy0wmQTlj7ubB4u0W/7Gl8=",
                "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
            ],
        ),
    ];
    let leaves = reference_leaves();
    for (old, new, r1, r2, proof) in cases {
        let (r1, r2, proof) = (h(r1), h(r2), hs(&proof));
        assert!(verify_consistency(old, new, &r1, &r2, &proof), "{old}->{new}");
        assert_eq!(root(&leaves[..old as usize]), r1);
        assert_eq!(root(&leaves[..new as usize]), r2);
        assert_eq!(consistency_proof(&leaves[..new as usize], old).unwrap(), proof, "{old}->{new}");
        assert_negative_consistency(old, new, &r1, &r2, &proof);
    }
}

/// The negative cases of transparency-dev/merkle's generator, applied to one valid proof.
fn assert_negative_inclusion(leaf: &Hash, index: u64, size: u64, proof: &[Hash], r: &Hash) {
    let rejects = |what: &str, leaf: &Hash, index: u64, size: u64, proof: &[Hash], r: &Hash| {
        assert!(!verify_inclusion(leaf, index, size, proof, r), "{what} accepted for {index}/{size}");
    };
    let garbage = leaf_hash(b"garbage");
    rejects("wrong leaf", &garbage, index, size, proof, r);
    rejects("empty root", leaf, index, size, proof, &empty_root());
    rejects("random root", leaf, index, size, proof, &garbage);
    if leaf != r {
        rejects("leaf as root", leaf, index, size, proof, leaf);
    }
    for other in [index.wrapping_sub(1), index + 1, index ^ 2, index + size, u64::MAX] {
        if other != index {
            rejects("index changed", leaf, other, size, proof, r);
        }
    }
    // Not size ± 1: an audit path does not always pin the tree size (the leaf's path can be the
    // same in trees of neighbouring sizes); the signed checkpoint does that.
    for other in [size * 2, size / 2, 0, u64::MAX] {
        if other != size {
            rejects("size changed", leaf, index, other, proof, r);
        }
    }
    for i in 0..proof.len() {
        for bit in [0, 4, 255] {
            let mut p = proof.to_vec();
            p[i][bit / 8] ^= 1 << (bit % 8);
            rejects("modified proof bit", leaf, index, size, &p, r);
        }
        let mut p = proof.to_vec();
        p.remove(i);
        rejects("removed component", leaf, index, size, &p, r);
        let mut p = proof.to_vec();
        p.insert(i, garbage);
        rejects("inserted component", leaf, index, size, &p, r);
    }
    let mut p = proof.to_vec();
    p.push(garbage);
    rejects("trailing garbage", leaf, index, size, &p, r);
    let mut p = proof.to_vec();
    p.push(*r);
    rejects("trailing root", leaf, index, size, &p, r);
    let mut p = vec![garbage];
    p.extend_from_slice(proof);
    rejects("preceding garbage", leaf, index, size, &p, r);
    let mut p = vec![*r];
    p.extend_from_slice(proof);
    rejects("preceding root", leaf, index, size, &p, r);
}

fn assert_negative_consistency(old: u64, new: u64, r1: &Hash, r2: &Hash, proof: &[Hash]) {
    let rejects = |what: &str, old_size: u64, new_size: u64, a: &Hash, b: &Hash, p: &[Hash]| {
        assert!(!verify_consistency(old_size, new_size, a, b, p), "{what} accepted for {old}->{new}");
    };
    let garbage = leaf_hash(b"garbage");
    if r1 != r2 {
        rejects("swapped roots", old, new, r2, r1, proof);
    }
    rejects("wrong root1", old, new, &garbage, r2, proof);
    rejects("wrong root2", old, new, r1, &garbage, proof);
    for o in [old.wrapping_sub(1), old + 1, old ^ 2, old * 2, old / 2, 0] {
        if o != old {
            rejects("size1 changed", o, new, r1, r2, proof);
        }
    }
    // Not size2 ± 1: for instance the proof 1 → 8 also verifies as 1 → 5..7 with the same roots
    // (roots are hashes; only the signed checkpoint binds a root to its size).
    for n in [new * 2, new / 2, u64::MAX] {
        if n != new && n >= old {
            rejects("size2 changed", old, n, r1, r2, proof);
        }
    }
    for i in 0..proof.len() {
        for bit in [0, 4, 255] {
            let mut p = proof.to_vec();
            p[i][bit / 8] ^= 1 << (bit % 8);
            rejects("modified proof bit", old, new, r1, r2, &p);
        }
        let mut p = proof.to_vec();
        p.remove(i);
        rejects("removed component", old, new, r1, r2, &p);
    }
    if old != new {
        rejects("empty proof", old, new, r1, r2, &[]);
    }
    for extra in [garbage, *r1, *r2] {
        let mut p = proof.to_vec();
        p.push(extra);
        rejects("trailing garbage", old, new, r1, r2, &p);
        let mut p = vec![extra];
        p.extend_from_slice(proof);
        rejects("preceding garbage", old, new, r1, r2, &p);
    }
}

#[test]
fn all_inclusion_proofs_up_to_8_leaves() {
    let leaves = reference_leaves();
    let mut checked = 0;
    for size in 1..=8usize {
        let tree = &leaves[..size];
        let r = root(tree);
        assert_eq!(r.to_vec(), unhex(ROOTS_HEX[size]));
        for index in 0..size {
            let proof = inclusion_proof(tree, index as u64).unwrap();
            assert_eq!(proof, brute_inclusion(tree, index), "{index}/{size}");
            assert!(verify_inclusion(&tree[index], index as u64, size as u64, &proof, &r), "{index}/{size}");
            assert_negative_inclusion(&tree[index], index as u64, size as u64, &proof, &r);
            // Brute force: in a tree of this size, the proof opens exactly this leaf at exactly
            // this index, among all leaves and indexes. (Across sizes, roots are only hashes: the
            // path of leaf 4 of 5 also opens "leaf 1 of 2" whose leaf 0 is the root of 4.)
            for other_size in [size as u64] {
                for other_index in 0..other_size {
                    for (leaf_i, leaf) in leaves.iter().enumerate() {
                        let same = other_size == size as u64 && other_index == index as u64 && leaf_i == index;
                        let ok = verify_inclusion(leaf, other_index, other_size, &proof, &r);
                        assert_eq!(ok, same, "proof for {index}/{size} vs {other_index}/{other_size} leaf {leaf_i}");
                    }
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 36);
}

#[test]
fn all_consistency_proofs_up_to_8_leaves() {
    let leaves = reference_leaves();
    let mut checked = 0;
    for new in 1..=8usize {
        for old in 1..=new {
            let tree = &leaves[..new];
            let (r1, r2) = (root(&leaves[..old]), root(tree));
            let proof = consistency_proof(tree, old as u64).unwrap();
            assert_eq!(proof, brute_consistency(tree, old), "{old}->{new}");
            assert!(verify_consistency(old as u64, new as u64, &r1, &r2, &proof), "{old}->{new}");
            assert_negative_consistency(old as u64, new as u64, &r1, &r2, &proof);
            // Brute force: for this new size, among all old sizes and all pairs of reference
            // roots, only the true combination verifies.
            for o in 0..=9u64 {
                for n in [new as u64] {
                    for (a_i, a) in ROOTS_HEX.iter().enumerate() {
                        for (b_i, b) in ROOTS_HEX.iter().enumerate() {
                            let (a, b): (Hash, Hash) = (unhex(a).try_into().unwrap(), unhex(b).try_into().unwrap());
                            let ok = verify_consistency(o, n, &a, &b, &proof);
                            // An empty proof (old == new) says "the same tree" for any size.
                            let same = (o == old as u64 && n == new as u64 && a_i == old && b_i == new)
                                || (proof.is_empty() && o == n && o > 0 && a_i == b_i);
                            assert_eq!(ok, same, "proof {old}->{new} vs {o}->{n} roots {a_i},{b_i}");
                        }
                    }
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 36);
    // From the empty tree: meaningless, so neither produced nor accepted.
    assert!(consistency_proof(&leaves, 0).is_err());
    assert!(!verify_consistency(0, 0, &empty_root(), &empty_root(), &[]));
    assert!(!verify_consistency(0, 3, &empty_root(), &root(&leaves[..3]), &[]));
}

#[test]
fn larger_trees_agree_with_the_brute_force_construction() {
    let leaves = synthetic_leaves(70);
    for size in 1..=leaves.len() {
        let tree = &leaves[..size];
        let r = root(tree);
        assert_eq!(r, brute_root(tree), "root {size}");
        for index in 0..size {
            let proof = inclusion_proof(tree, index as u64).unwrap();
            assert_eq!(proof, brute_inclusion(tree, index), "{index}/{size}");
            assert!(verify_inclusion(&tree[index], index as u64, size as u64, &proof, &r));
        }
        for old in 1..=size {
            let proof = consistency_proof(tree, old as u64).unwrap();
            assert_eq!(proof, brute_consistency(tree, old), "{old}->{size}");
            assert!(verify_consistency(old as u64, size as u64, &root(&leaves[..old]), &r, &proof));
        }
    }
}

#[test]
fn proof_lengths_are_logarithmic() {
    let leaves = synthetic_leaves(1025);
    assert_eq!(inclusion_proof(&leaves[..1024], 0).unwrap().len(), 10);
    assert_eq!(inclusion_proof(&leaves, 1024).unwrap().len(), 1);
    assert_eq!(inclusion_proof(&leaves, 0).unwrap().len(), 11);
    assert_eq!(consistency_proof(&leaves, 1024).unwrap().len(), 1);
    assert_eq!(consistency_proof(&leaves, 1023).unwrap().len(), 12);
}
