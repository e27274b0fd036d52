//! What a rep writes (P5, P41, P42, P47): the templates, a draft for each written plan
//! item, and the message coach that reads any draft. Pure, like the rest of the core.

pub mod coach;
pub mod draft;
pub mod template;

pub use coach::{CheckKind, Coach, Draft, Finding, Known, Part, Span, Verdict};
pub use draft::{ItemDraft, draft_item, placeholders_for, template_for};
pub use template::{
    Placeholders, Rendered, Template, TemplateKind, TemplateProblem, builtin, builtin_of,
    is_written,
};
