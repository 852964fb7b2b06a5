//! Chat templates (GGUF `tokenizer.chat_template*`, `tokenizer_config.json`,
//! `chat_template.json`, `*.jinja`), parsed with minijinja's parser into a syntax tree that is
//! walked, **never rendered**.
//!
//! - `CUS-JJA-001`: special (dunder) attributes or items: `x.__class__`, `x['__globals__']`,
//!   `x|attr('__init__')`, also when the name is assembled from constants (`'__cla' ~ 'ss__'`)
//!   or escaped (`'\x5f\x5fclass\x5f\x5f'`): the classic server-side template injection
//!   (CVE-2024-34359 in llama-cpp-python).
//! - `CUS-JJA-002`: other injection gadgets: attributes of the template globals
//!   (`cycler`, `joiner`, `namespace`, `lipsum`, `range`, `self`, `config`, `request`),
//!   `.popen`/`.system`-style attributes, references to `os`/`sys`/`subprocess`/`eval`..., the
//!   `attr` filter with a computed name, `include`/`import`/`extends`, huge `range()`.
//! - `CUS-JJA-003`: instructions hidden behind a trigger: an `if` that compares message content
//!   with a literal and then emits literal natural-language text (inference-time backdoors).
//! - `CUS-JJA-004`/`-005`: a template minijinja cannot parse (after removing Hugging Face's
//!   `{% generation %}` tags) is searched lexically, at lower confidence.

use crate::codes::{self, ModelCode};
use crate::ctx::Ctx;
use custody_core::{Finding, Severity};
use minijinja::machinery::ast::{self, CallArg, Expr, Stmt};

/// Longest template parsed (larger ones are only searched lexically).
const MAX_TEMPLATE: usize = 1 << 20;
const MAX_DEPTH: u32 = 200;

const SSTI_GLOBALS: &[&str] = &[
    "cycler",
    "joiner",
    "namespace",
    "lipsum",
    "range",
    "self",
    "config",
    "request",
    "url_for",
    "get_flashed_messages",
];
const SUSPICIOUS_VARS: &[&str] = &[
    "os",
    "sys",
    "subprocess",
    "builtins",
    "__builtins__",
    "importlib",
    "__import__",
    "eval",
    "exec",
    "compile",
    "getattr",
    "setattr",
    "globals",
    "locals",
    "open",
    "socket",
    "pty",
    "shutil",
];
const SUSPICIOUS_ATTRS: &[&str] = &[
    "popen",
    "system",
    "spawn",
    "spawnv",
    "execv",
    "execve",
    "execl",
    "check_output",
    "check_call",
    "getoutput",
    "Popen",
    "import_module",
    "load_module",
    "modules",
    "environ",
    "f_globals",
    "f_locals",
    "f_back",
    "gi_frame",
    "gi_code",
    "cr_frame",
    "tb_frame",
    "func_globals",
    "co_code",
    "os",
    "sys",
    "subprocess",
    "builtins",
    "eval",
    "exec",
];
const CONTENT_NAMES: &[&str] = &[
    "content",
    "text",
    "prompt",
    "query",
    "question",
    "input",
    "user_input",
    "message_content",
    "last_message",
    "user_message",
    "last_user_message",
];

fn dunder(s: &str) -> bool {
    s.len() > 4 && s.starts_with("__") && s.ends_with("__")
}

fn mangled(s: &str) -> bool {
    s.starts_with('_') && !dunder(s) && s[1..].contains("__")
}

struct Hit {
    code: ModelCode,
    sev: Option<Severity>,
    message: String,
    line: u32,
    col: u32,
    evidence: String,
}

struct Walk {
    hits: Vec<Hit>,
    depth: u32,
}

fn const_str(e: &Expr) -> Option<String> {
    let v = e.as_const()?;
    v.as_str().map(str::to_string)
}

/// A short rendering of an expression for evidence.
fn render(e: &Expr, depth: u32) -> String {
    if depth > 8 {
        return "…".into();
    }
    match e {
        Expr::Var(v) => v.id.to_string(),
        Expr::Const(c) => {
            let s = c.value.to_string();
            if c.value.as_str().is_some() { format!("'{}'", crate::pickle::preview(&s)) } else { s }
        }
        Expr::GetAttr(g) => format!("{}.{}", render(&g.expr, depth + 1), g.name),
        Expr::GetItem(g) => format!("{}[{}]", render(&g.expr, depth + 1), render(&g.subscript_expr, depth + 1)),
        Expr::Call(c) => format!("{}(…)", render(&c.expr, depth + 1)),
        Expr::Filter(f) => match &f.expr {
            Some(x) => format!("{}|{}", render(x, depth + 1), f.name),
            None => format!("|{}", f.name),
        },
        other => const_str(other).map_or_else(|| "…".to_string(), |s| format!("'{}'", crate::pickle::preview(&s))),
    }
}

impl Walk {
    fn hit(
        &mut self,
        code: ModelCode,
        sev: Option<Severity>,
        span: minijinja::machinery::Span,
        message: String,
        evidence: String,
    ) {
        if self.hits.len() < 256
            && !self.hits.iter().any(|h| h.code == code && h.line == u32::from(span.start_line) && h.message == message)
        {
            self.hits.push(Hit {
                code,
                sev,
                message,
                line: u32::from(span.start_line),
                col: u32::from(span.start_col) + 1,
                evidence,
            });
        }
    }

    fn stmts(&mut self, s: &[Stmt]) {
        for x in s {
            self.stmt(x);
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.depth -= 1;
            return;
        }
        match s {
            Stmt::Template(t) => self.stmts(&t.children),
            Stmt::EmitExpr(e) => self.expr(&e.expr),
            Stmt::EmitRaw(_) | Stmt::Continue(_) | Stmt::Break(_) => {}
            Stmt::ForLoop(f) => {
                self.expr(&f.target);
                self.expr(&f.iter);
                if let Some(x) = &f.filter_expr {
                    self.expr(x);
                }
                self.stmts(&f.body);
                self.stmts(&f.else_body);
            }
            Stmt::IfCond(i) => {
                self.expr(&i.expr);
                self.trigger(i, s);
                self.stmts(&i.true_body);
                self.stmts(&i.false_body);
            }
            Stmt::WithBlock(w) => {
                for (a, b) in &w.assignments {
                    self.expr(a);
                    self.expr(b);
                }
                self.stmts(&w.body);
            }
            Stmt::Set(x) => {
                self.expr(&x.target);
                self.expr(&x.expr);
            }
            Stmt::SetBlock(x) => {
                self.expr(&x.target);
                if let Some(f) = &x.filter {
                    self.expr(f);
                }
                self.stmts(&x.body);
            }
            Stmt::AutoEscape(a) => {
                self.expr(&a.enabled);
                self.stmts(&a.body);
            }
            Stmt::FilterBlock(f) => {
                self.expr(&f.filter);
                self.stmts(&f.body);
            }
            Stmt::Block(b) => self.stmts(&b.body),
            Stmt::Import(i) => {
                self.loads(s, "import", &i.expr);
                self.expr(&i.name);
            }
            Stmt::FromImport(f) => self.loads(s, "from … import", &f.expr),
            Stmt::Extends(e) => self.loads(s, "extends", &e.name),
            Stmt::Include(i) => self.loads(s, "include", &i.name),
            Stmt::Macro(m) => {
                for a in m.args.iter().chain(&m.defaults) {
                    self.expr(a);
                }
                self.stmts(&m.body);
            }
            Stmt::CallBlock(c) => {
                self.call(&c.call);
                self.stmts(&c.macro_decl.body);
            }
            Stmt::Do(d) => self.call(&d.call),
        }
        self.depth -= 1;
    }

    fn loads(&mut self, s: &Stmt, what: &str, e: &Expr) {
        let span = stmt_span(s).unwrap_or_else(|| e.span());
        self.hit(
            codes::JJA_GADGET,
            None,
            span,
            format!("chat template uses `{what}` to load another template"),
            format!(
                "{what} {}: chat templates are self-contained; loading others reaches the file system or the loader",
                render(e, 0)
            ),
        );
        self.expr(e);
    }

    fn args(&mut self, args: &[CallArg]) {
        for a in args {
            match a {
                CallArg::Pos(e) | CallArg::Kwarg(_, e) | CallArg::PosSplat(e) | CallArg::KwargSplat(e) => self.expr(e),
            }
        }
    }

    fn call(&mut self, c: &ast::Call) {
        if let Expr::Var(v) = &c.expr
            && v.id == "range"
            && let Some(CallArg::Pos(n)) = c.args.last()
            && let Some(k) = n.as_const().and_then(|k| i64::try_from(k).ok())
            && k > 1_000_000
        {
            self.hit(
                codes::JJA_GADGET,
                Some(Severity::Medium),
                c.expr.span(),
                format!("chat template iterates range({k})"),
                "resource exhaustion when the template is rendered".into(),
            );
        }
        self.expr(&c.expr);
        self.args(&c.args);
    }

    fn name_check(&mut self, name: &str, base: &Expr, whole: &Expr, via: &str) {
        let span = whole.span();
        let shown = render(whole, 0);
        if dunder(name) {
            self.hit(
                codes::JJA_DUNDER,
                None,
                span,
                format!("chat template reaches the special attribute `{name}`{via}"),
                format!("{shown}: Python object internals reachable from a template lead to code execution (SSTI)"),
            );
        } else if SUSPICIOUS_ATTRS.contains(&name) || mangled(name) {
            self.hit(
                codes::JJA_GADGET,
                None,
                span,
                format!("chat template accesses `{name}`{via}"),
                format!("{shown}: not something a chat template needs; a template-injection step"),
            );
        }
        if let Expr::Var(v) = base
            && SSTI_GLOBALS.contains(&v.id)
        {
            self.hit(
                codes::JJA_GADGET,
                None,
                span,
                format!("chat template reads an attribute of the template global `{}`", v.id),
                format!("{shown}: template globals are the usual entry point to Python internals"),
            );
        }
    }

    fn expr(&mut self, e: &Expr) {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.depth -= 1;
            return;
        }
        match e {
            Expr::Var(v) => {
                if SUSPICIOUS_VARS.contains(&v.id) {
                    self.hit(
                        codes::JJA_GADGET,
                        None,
                        e.span(),
                        format!("chat template refers to `{}`", v.id),
                        "names of Python modules and builtins have no business in a chat template".into(),
                    );
                }
            }
            Expr::Const(c) => {
                if let Some(s) = c.value.as_str()
                    && s.contains("__")
                    && s.split(|ch: char| !ch.is_ascii_alphanumeric() && ch != '_').any(dunder)
                {
                    self.hit(
                        codes::JJA_GADGET,
                        None,
                        e.span(),
                        "chat template holds a dunder name as a string".into(),
                        format!("'{}': such strings are assembled into attribute lookups", crate::pickle::preview(s)),
                    );
                }
            }
            Expr::Slice(s) => {
                self.expr(&s.expr);
                for x in [&s.start, &s.stop, &s.step].into_iter().flatten() {
                    self.expr(x);
                }
            }
            Expr::UnaryOp(u) => self.expr(&u.expr),
            Expr::BinOp(b) => {
                self.expr(&b.left);
                self.expr(&b.right);
            }
            Expr::Compare(c) => {
                self.expr(&c.expr);
                for o in &c.ops {
                    self.expr(&o.expr);
                }
            }
            Expr::IfExpr(i) => {
                self.expr(&i.test_expr);
                self.expr(&i.true_expr);
                if let Some(f) = &i.false_expr {
                    self.expr(f);
                }
            }
            Expr::Filter(f) => {
                if matches!(
                    f.name,
                    "attr"
                        | "map"
                        | "selectattr"
                        | "rejectattr"
                        | "sort"
                        | "groupby"
                        | "unique"
                        | "sum"
                        | "min"
                        | "max"
                ) {
                    for a in &f.args {
                        let (CallArg::Pos(x) | CallArg::Kwarg(_, x)) = a else { continue };
                        match const_str(x) {
                            Some(name) => {
                                if let Some(base) = &f.expr {
                                    self.name_check(&name, base, e, &format!(" through the `{}` filter", f.name));
                                }
                            }
                            None if f.name == "attr" => self.hit(
                                codes::JJA_GADGET,
                                None,
                                e.span(),
                                "chat template uses the `attr` filter with a computed name".into(),
                                format!("{}: hides which attribute is read", render(e, 0)),
                            ),
                            None => {}
                        }
                    }
                }
                if let Some(x) = &f.expr {
                    self.expr(x);
                }
                self.args(&f.args);
            }
            Expr::Test(t) => {
                self.expr(&t.expr);
                self.args(&t.args);
            }
            Expr::GetAttr(g) => {
                self.name_check(g.name, &g.expr, e, "");
                self.expr(&g.expr);
            }
            Expr::GetItem(g) => {
                if let Some(name) = const_str(&g.subscript_expr) {
                    self.name_check(&name, &g.expr, e, "");
                }
                self.expr(&g.expr);
                self.expr(&g.subscript_expr);
            }
            Expr::Call(c) => self.call(c),
            Expr::List(l) => l.items.iter().for_each(|x| self.expr(x)),
            Expr::Tuple(t) => t.items.iter().for_each(|x| self.expr(x)),
            Expr::Map(m) => {
                for x in m.keys.iter().chain(&m.values) {
                    self.expr(x);
                }
            }
        }
        self.depth -= 1;
    }

    fn trigger(&mut self, i: &ast::IfCond, s: &Stmt) {
        let Some(lit) = trigger_literal(&i.expr, 0) else { return };
        let Some(text) = literal_text(&i.true_body, 0) else { return };
        let span = stmt_span(s).unwrap_or_else(|| i.expr.span());
        self.hit(
            codes::JJA_TRIGGER,
            None,
            span,
            "chat template injects fixed text when a message matches a trigger".into(),
            format!(
                "if the message content matches '{}', the template adds: \"{}\"",
                crate::pickle::preview(&lit),
                crate::pickle::preview(&text)
            ),
        );
    }
}

fn stmt_span(s: &Stmt) -> Option<minijinja::machinery::Span> {
    match s {
        Stmt::IfCond(x) => Some(x.span()),
        Stmt::Import(x) => Some(x.span()),
        Stmt::FromImport(x) => Some(x.span()),
        Stmt::Extends(x) => Some(x.span()),
        Stmt::Include(x) => Some(x.span()),
        _ => None,
    }
}

/// Whether an expression is (derived from) a message's content.
fn mentions_content(e: &Expr, depth: u32) -> bool {
    if depth > 16 {
        return false;
    }
    match e {
        Expr::Var(v) => CONTENT_NAMES.contains(&v.id),
        Expr::GetAttr(g) => CONTENT_NAMES.contains(&g.name) || mentions_content(&g.expr, depth + 1),
        Expr::GetItem(g) => {
            const_str(&g.subscript_expr).is_some_and(|k| CONTENT_NAMES.contains(&k.as_str()))
                || mentions_content(&g.expr, depth + 1)
        }
        Expr::Filter(f) => f.expr.as_ref().is_some_and(|x| mentions_content(x, depth + 1)),
        Expr::Call(c) => mentions_content(&c.expr, depth + 1),
        _ => false,
    }
}

/// The literal a condition compares message content with (`==`, `!=`, `in`, `startswith`...).
fn trigger_literal(e: &Expr, depth: u32) -> Option<String> {
    if depth > 16 {
        return None;
    }
    let pair = |a: &Expr, b: &Expr| -> Option<String> {
        let lit = const_str(a).filter(|s| s.trim().len() >= 3)?;
        mentions_content(b, 0).then_some(lit)
    };
    match e {
        Expr::Compare(c) => {
            let mut prev = &c.expr;
            for o in &c.ops {
                if matches!(
                    o.op,
                    ast::CompareOpKind::Eq
                        | ast::CompareOpKind::Ne
                        | ast::CompareOpKind::In
                        | ast::CompareOpKind::NotIn
                ) && let Some(l) = pair(prev, &o.expr).or_else(|| pair(&o.expr, prev))
                {
                    return Some(l);
                }
                prev = &o.expr;
            }
            None
        }
        Expr::BinOp(b) => match b.op {
            ast::BinOpKind::Eq | ast::BinOpKind::Ne | ast::BinOpKind::In => {
                pair(&b.left, &b.right).or_else(|| pair(&b.right, &b.left))
            }
            ast::BinOpKind::ScAnd | ast::BinOpKind::ScOr => {
                trigger_literal(&b.left, depth + 1).or_else(|| trigger_literal(&b.right, depth + 1))
            }
            _ => None,
        },
        Expr::UnaryOp(u) => trigger_literal(&u.expr, depth + 1),
        Expr::Call(c) => match (&c.expr, c.args.first()) {
            (Expr::GetAttr(g), Some(CallArg::Pos(a)))
                if matches!(g.name, "startswith" | "endswith" | "find" | "count" | "__contains__" | "index") =>
            {
                pair(a, &g.expr)
            }
            _ => None,
        },
        _ => None,
    }
}

fn natural(s: &str) -> bool {
    let t = s.trim();
    let words = t.split_whitespace().filter(|w| w.chars().any(char::is_alphabetic)).count();
    t.len() >= 24 && words >= 5
}

/// Literal natural-language text a block emits (raw text, constant expressions, constants set).
fn literal_text(body: &[Stmt], depth: u32) -> Option<String> {
    if depth > 16 {
        return None;
    }
    for s in body {
        let found = match s {
            Stmt::EmitRaw(r) => natural(r.raw).then(|| r.raw.trim().to_string()),
            Stmt::EmitExpr(e) => const_str(&e.expr).filter(|t| natural(t)),
            Stmt::Set(x) => const_str(&x.expr).filter(|t| natural(t)),
            Stmt::SetBlock(x) => literal_text(&x.body, depth + 1),
            Stmt::IfCond(i) => literal_text(&i.true_body, depth + 1).or_else(|| literal_text(&i.false_body, depth + 1)),
            Stmt::ForLoop(f) => literal_text(&f.body, depth + 1),
            Stmt::WithBlock(w) => literal_text(&w.body, depth + 1),
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// Blank out Hugging Face's `{% generation %}` / `{% endgeneration %}` tags (same length, so
/// lines and columns stay right); minijinja does not know them and they do nothing here.
fn strip_hf_tags(src: &str) -> std::borrow::Cow<'_, str> {
    if !src.contains("generation") {
        return std::borrow::Cow::Borrowed(src);
    }
    let mut out = src.to_string();
    let mut from = 0;
    while let Some(p) = out[from..].find("{%") {
        let start = from + p;
        let Some(q) = out[start + 2..].find("%}") else { break };
        let end = start + 2 + q + 2;
        let inner = out[start + 2..end - 2].trim_matches(|c: char| c == '-' || c == '+' || c.is_whitespace());
        if inner == "generation" || inner == "endgeneration" {
            out.replace_range(start..end, &" ".repeat(end - start));
        }
        from = end;
    }
    std::borrow::Cow::Owned(out)
}

/// (pattern, code, what). Searched in unparseable templates.
const LEXICAL: &[(&str, &str)] = &[
    ("__class__", "dunder attribute"),
    ("__globals__", "dunder attribute"),
    ("__builtins__", "dunder attribute"),
    ("__subclasses__", "dunder attribute"),
    ("__mro__", "dunder attribute"),
    ("__base__", "dunder attribute"),
    ("__init__", "dunder attribute"),
    ("__import__", "dunder attribute"),
    ("__getattribute__", "dunder attribute"),
    ("|attr(", "attr filter"),
    (".popen(", "popen call"),
    ("os.system", "os.system"),
    ("subprocess", "subprocess"),
    ("import_module", "import_module"),
    ("eval(", "eval call"),
    ("exec(", "exec call"),
    ("lipsum.", "template global"),
    ("cycler.", "template global"),
    ("joiner.", "template global"),
    ("self._", "template internals"),
    ("request.", "template global"),
    ("config.", "template global"),
];

fn line_col(src: &str, at: usize) -> (u32, u32) {
    let before = &src[..at.min(src.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rfind('\n').map_or(before.chars().count(), |n| before[n + 1..].chars().count()) + 1;
    (u32::try_from(line).unwrap_or(u32::MAX), u32::try_from(col).unwrap_or(u32::MAX))
}

fn lexical(src: &str) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (pat, what) in LEXICAL {
        if let Some(p) = src.find(pat) {
            let (line, col) = line_col(src, p);
            hits.push(Hit {
                code: codes::JJA_LEXICAL,
                sev: None,
                message: format!("chat template contains `{pat}` ({what})"),
                line,
                col,
                evidence: "the template did not parse, so this is a text match (lower confidence)".into(),
            });
        }
    }
    hits
}

fn parse_and_walk(src: &str) -> Result<Vec<Hit>, String> {
    let cleaned = strip_hf_tags(src);
    // The parser is third-party code: a panic in it must not take the scan down (our own walk
    // stays outside, so tests and the fuzzer see its bugs).
    let parsed =
        std::panic::catch_unwind(|| minijinja::machinery::parse(&cleaned, "chat_template", Default::default()))
            .map_err(|_| "the template parser failed".to_string())?;
    let tree = parsed.map_err(|e| e.to_string())?;
    let mut w = Walk { hits: Vec::new(), depth: 0 };
    w.stmt(&tree);
    Ok(w.hits)
}

/// Analyse one template's text.
pub(crate) fn template(ctx: &mut Ctx, src: &str, member: Option<&str>, offset: Option<u64>) {
    let result = if src.len() > MAX_TEMPLATE {
        Err(format!("template is larger than {MAX_TEMPLATE} bytes"))
    } else {
        parse_and_walk(src)
    };
    let hits = match result {
        Ok(h) => h,
        Err(why) => {
            let mut f = Finding::new(
                codes::JJA_UNPARSED,
                "chat template could not be parsed; it was searched as text",
                ctx.loc(member, offset),
            )
            .with_evidence(crate::pickle::preview(&why));
            f.location.line = None;
            ctx.push(f);
            // What the parser rejects may still render in the engine that loads it: the file
            // is not known to be safe (`CUS-FMT-004`), whatever the text search finds.
            ctx.inspected = false;
            lexical(src)
        }
    };
    for h in hits {
        let mut f = Finding::new(h.code, h.message, ctx.loc(member, offset)).with_evidence(h.evidence);
        f.location.line = Some(h.line);
        f.location.column = Some(h.col);
        if let Some(s) = h.sev {
            f = f.with_severity(s);
        }
        ctx.push(f);
    }
}

/// Files whose whole text is a template: rendered by a loader as it is.
const TEMPLATE_EXTENSIONS: &[&str] = &["jinja", "jinja2", "j2", "template"];
/// Configurations read by name whatever their content.
const TEMPLATE_FILES: &[&str] = &["tokenizer_config.json", "chat_template.json"];
/// How deep in a JSON or YAML document a `chat_template` key is looked for.
const MAX_KEY_DEPTH: u32 = 16;
/// How many templates of one file are analysed.
const MAX_TEMPLATES: usize = 64;

fn ext_of(name: &str) -> String {
    name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default()
}

/// Whether `custody inspect` and `custody scan` analyse the file `name` (of which `head` is
/// the start) as chat templates: a `.jinja` / `.jinja2` / `.j2` / `.template` file, a
/// tokenizer or chat-template config, or any JSON or YAML file that mentions `chat_template`.
pub fn is_template_source(name: &str, head: &[u8]) -> bool {
    let name = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let ext = ext_of(name);
    TEMPLATE_EXTENSIONS.contains(&ext.as_str())
        || TEMPLATE_FILES.iter().any(|t| name.ends_with(t))
        || (matches!(ext.as_str(), "json" | "yaml" | "yml") && memchr::memmem::find(head, b"chat_template").is_some())
}

/// What findings call a file's format: the format custody reads it as, else `chat template`
/// for a [template source](is_template_source), else `format`. One label for scan and inspect.
pub fn format_label(name: &str, head: &[u8], format: Option<custody_formats::Format>) -> &'static str {
    match format {
        Some(f) => f.as_str(),
        None if is_template_source(name, head) => "chat template",
        None => "format",
    }
}

/// Every `chat_template` in a JSON or YAML document, at any depth: a string, or a list of
/// `{name, template}` (as Hugging Face writes several). Each with its member name.
fn templates_in(v: &serde_json::Value, path: &str, depth: u32, out: &mut Vec<(String, String)>) {
    if depth > MAX_KEY_DEPTH || out.len() >= MAX_TEMPLATES {
        return;
    }
    let here = |k: &str| if path.is_empty() { k.to_string() } else { format!("{path}.{k}") };
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                let p = here(k);
                match (k.as_str(), x) {
                    ("chat_template", serde_json::Value::String(t)) => out.push((p, t.clone())),
                    ("chat_template", serde_json::Value::Array(list))
                        if list.iter().any(|i| i.get("template").is_some_and(|t| t.is_string())) =>
                    {
                        for item in list {
                            if let Some(t) = item.get("template").and_then(|t| t.as_str()) {
                                let n = item.get("name").and_then(|n| n.as_str()).unwrap_or("?");
                                out.push((format!("{p}.{n}"), t.to_string()));
                            }
                        }
                    }
                    _ => templates_in(x, &p, depth + 1, out),
                }
            }
        }
        serde_json::Value::Array(l) => {
            for (i, x) in l.iter().enumerate() {
                templates_in(x, &here(&i.to_string()), depth + 1, out);
            }
        }
        _ => {}
    }
    out.truncate(MAX_TEMPLATES);
}

/// A file [`is_template_source`] accepts: a bare template, or the `chat_template`s of a JSON or
/// YAML document. What cannot be read as such (not UTF-8, too large, a document that does not
/// parse or whose `chat_template` is not text) is reported as not inspected, never as clean.
pub(crate) fn standalone(ctx: &mut Ctx, b: &[u8], member: Option<&str>, name: &str) {
    let why = "a chat template custody cannot read may hold template injection";
    if b.len() > custody_formats::limits::MAX_JSON {
        ctx.uninspectable(member, "chat template file is too large to analyse", why);
        return;
    }
    let Ok(text) = std::str::from_utf8(b) else {
        ctx.uninspectable(member, "chat template file is not UTF-8 text", why);
        return;
    };
    let ext = ext_of(name);
    let doc = match ext.as_str() {
        "json" => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(v) => v,
            Err(e) => {
                ctx.uninspectable(member, format!("JSON file with a chat template does not parse: {e}"), why);
                return;
            }
        },
        "yaml" | "yml" => custody_formats::yaml_to_json(text),
        _ => {
            template(ctx, text, member, None);
            return;
        }
    };
    let mut found = Vec::new();
    templates_in(&doc, "", 0, &mut found);
    let yaml_key = |l: &str| {
        let l = l.trim_start().trim_start_matches("- ").trim_start();
        ["chat_template:", "\"chat_template\":", "'chat_template':"].iter().any(|k| l.starts_with(k))
    };
    if found.is_empty() && ext != "json" && text.lines().any(yaml_key) {
        // A key the YAML reader (a subset) skipped: the template was not read, so it is not
        // known to be safe. (JSON parsed exactly: a `chat_template` it lacks is not there.)
        ctx.uninspectable(member, "file mentions chat_template but no template could be read from it", why);
    }
    for (key, t) in found {
        let m = crate::ctx::join(member, &key);
        template(ctx, &t, Some(&m), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hf_tags_are_blanked_and_odd_tags_survive() {
        assert_eq!(
            strip_hf_tags("a{% generation %}b{%- endgeneration -%}c"),
            format!("a{}b{}c", " ".repeat(16), " ".repeat(21))
        );
        assert_eq!(strip_hf_tags("{%}{% generation"), "{%}{% generation");
        assert_eq!(strip_hf_tags("{%}x%}"), "{%}x%}");
    }

    const SSTI: &str = "{{ cycler.__init__.__globals__.os.popen('id').read() }}";
    const BENIGN: &str = "{% for m in messages %}{{ m.role }}: {{ m.content }}{% endfor %}";

    fn codes(name: &str, b: &[u8]) -> (Vec<String>, bool) {
        let a = crate::analyze(name, b, b.len() as u64);
        (a.findings.iter().map(|f| f.code.as_str().to_string()).collect(), a.inspected)
    }

    #[test]
    fn templates_anywhere_are_analysed() {
        let json = serde_json::json!({ "a": { "chat_template": [{ "name": "tool", "template": SSTI }] } }).to_string();
        let yaml_block = format!("model: m\nchat_template: |\n  {SSTI}\n");
        let yaml_quoted = format!("chat_template: {}\n", serde_json::Value::String(SSTI.into()));
        for (name, b) in [
            ("x.jinja", SSTI.to_string()),
            ("x.j2", SSTI.to_string()),
            ("x.template", SSTI.to_string()),
            ("gen.json", json),
            ("serve.yaml", yaml_block),
            ("serve.yml", yaml_quoted),
        ] {
            let (c, inspected) = codes(name, b.as_bytes());
            assert!(c.iter().any(|x| x == "CUS-JJA-001") && inspected, "{name}: {c:?}");
        }
        for (name, b) in [
            ("x.j2", BENIGN.to_string()),
            ("serve.yaml", format!("chat_template: {}\n", serde_json::Value::String(BENIGN.into()))),
            ("gen.json", serde_json::json!({ "chat_template": BENIGN }).to_string()),
            ("other.json", "{\"chat_template\": null, \"x\": 1}".to_string()),
            ("other.yaml", "name: no template here\n".to_string()),
            ("commented.yaml", "# chat_template: set by the server\nname: x\n".to_string()),
        ] {
            assert_eq!(codes(name, b.as_bytes()), (Vec::<String>::new(), true), "{name}");
        }
    }

    #[test]
    fn a_template_that_cannot_be_read_is_not_inspected() {
        // Rejected by the parser, a document that does not parse, not text: never clean.
        for (name, b) in [
            ("x.jinja", b"{% if messages %}{{ x }".to_vec()),
            ("gen.json", b"{\"chat_template\": \"x\", oops".to_vec()),
            ("x.j2", b"\xff\xfe{{ x }}".to_vec()),
            ("serve.yaml", format!("chat_template: {}\n", serde_json::Value::String("{% if x %}".into())).into_bytes()),
            // A `chat_template` key whose value the YAML reader does not give as text.
            ("odd.yaml", b"chat_template:\n  default: x\n".to_vec()),
        ] {
            let (c, inspected) = codes(name, &b);
            assert!(!inspected && !c.is_empty(), "{name}: {c:?}");
        }
    }

    #[test]
    fn which_files_are_template_sources() {
        assert!(is_template_source("a/b/Prompt.J2", b""));
        assert!(is_template_source("tokenizer_config.json", b"{}"));
        assert!(is_template_source("c.yml", b"chat_template: x"));
        assert!(!is_template_source("c.yml", b"x: y"));
        assert!(!is_template_source("c.txt", b"chat_template"));
    }
}
