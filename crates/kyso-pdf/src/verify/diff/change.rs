//! The typed change list: every change the analysis finds, with its kind, the object it
//! concerns and how far it goes ([`ModificationLevel`]). The text of a change is made from
//! these fields in the reader's language ([`Change::text`]), so reports translate every
//! change; JSON carries the fields themselves.

use serde::Serialize;

use super::ModificationLevel;
use crate::object::ObjRef;
use crate::verify::Lang;

/// One change after the signed revision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// What changed.
    #[serde(flatten)]
    pub kind: ChangeKind,
    /// How far the change goes.
    pub level: ModificationLevel,
    /// Whether the permissions in force (DocMDP, FieldMDP, the validation policy) allow it.
    pub permitted: bool,
}

impl Change {
    /// The change in words, in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        self.kind.text(lang)
    }
}

/// What a change is, with what it is about (object numbers, field names, keys).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
#[allow(missing_docs)] // the fields: the objects, names and keys the change's text shows
pub enum ChangeKind {
    // --- signatures and form filling ---
    /// An empty signature field received its signature.
    SignatureFieldSigned { object: ObjRef, field: String },
    /// A signature field was added, signed or empty.
    SignatureFieldAdded { object: ObjRef, signed: bool },
    /// A form field was filled (value, state or appearance).
    FieldFilled { object: ObjRef, field: String },
    /// A field was changed that FieldMDP or its /Lock locks.
    FieldLocked { object: ObjRef, field: String },
    /// An AcroForm entry viewers build appearances with (/DA, /DR, /NeedAppearances).
    FormEntryUpdated { object: Option<ObjRef>, key: String },
    // --- annotations ---
    /// A markup annotation was added to a page.
    AnnotationAdded { object: ObjRef, subtype: String },
    /// A markup annotation of the signed revision was changed.
    AnnotationChanged { object: ObjRef },
    /// A signature widget was put on a page without joining the form.
    SignatureWidgetOutsideForm { object: ObjRef },
    // --- what nothing renders ---
    /// The document information dictionary was updated.
    InfoUpdated { object: ObjRef },
    /// The XMP metadata stream was updated.
    XmpMetadataUpdated { object: ObjRef },
    /// A catalog entry nothing draws was updated (/Lang, /Extensions, …).
    CatalogEntryUpdated { key: String },
    /// An object of the structure tree (tagged PDF) was added or updated.
    StructureTreeUpdated { object: ObjRef },
    // --- signature maintenance ---
    /// Validation data (DSS) was added.
    DssAdded { object: ObjRef },
    /// The DSS of the signed revision, an array or a VRI dictionary in it, gained data.
    DssUpdated { object: ObjRef },
    // --- modifications ---
    /// A catalog entry no rule permits was changed.
    CatalogEntryChanged { key: String },
    /// The catalog is no longer a dictionary.
    CatalogReplaced,
    /// The trailer points to another catalog.
    RootSwapped { old: ObjRef, new: ObjRef },
    /// An AcroForm entry no rule permits was changed.
    AcroFormEntryChanged { object: Option<ObjRef>, key: String },
    /// The AcroForm is no longer a dictionary.
    AcroFormReplaced { object: ObjRef },
    /// An array that may only grow lost or changed entries.
    ArrayRewritten {
        object: Option<ObjRef>,
        what: String,
    },
    /// A direct object was appended where references belong.
    DirectObjectAdded { what: String },
    /// A page entry other than /Annots changed (content, resources, boxes).
    PageEntryChanged { object: ObjRef, key: String },
    /// A page is no longer a dictionary.
    PageReplaced { object: ObjRef },
    /// A signed object no rule governs was changed.
    ObjectChanged {
        object: ObjRef,
        what: String,
        keys: Vec<String>,
    },
    /// A signed stream was changed.
    StreamChanged { object: ObjRef, what: String },
    /// A signed object was deleted.
    ObjectDeleted { object: ObjRef, what: String },
    /// An object of the signed revision is missing from the final cross-reference data.
    ObjectMissing { number: u32 },
    /// A changed object cannot be read.
    ObjectUnreadable { object: ObjRef, error: String },
    /// A signed object was replaced by a new generation.
    GenerationReplaced { old: ObjRef, new: ObjRef },
    /// A field replaced or rewrote an appearance something else still draws.
    SharedAppearanceReplaced {
        field: ObjRef,
        appearance: ObjRef,
        holder: String,
    },
    /// What the catalog gives as /Metadata is not a metadata stream.
    NotAMetadataStream { object: ObjRef },
    /// What a signature field gives as its value is not a signature dictionary.
    NotASignatureDictionary { object: ObjRef },
    /// Something reached from the DSS is not validation data.
    NotDssContent { object: ObjRef, what: String },
    /// An appearance brings in a field or an annotation.
    AppearanceHoldsAnnotation { object: ObjRef },
    /// A form field other than a signature field was added.
    FieldAdded { object: ObjRef },
    /// An object of an unexpected kind was added to the form, a page or the structure tree.
    UnexpectedObjectAdded { object: ObjRef, what: String },
    /// A widget was added under a field that is not a new signature field.
    WidgetUnderForeignField { object: ObjRef, parent: ObjRef },
    /// A new signature field reuses an existing signature value.
    SignatureValueReused { object: ObjRef, value: ObjRef },
    /// A new signature field has a value that is not a reference.
    SignatureValueNotReference { object: ObjRef },
    /// An unsigned signature field with a visible appearance was added or given one.
    UnsignedVisibleSignatureField { object: ObjRef },
    /// Something added carries an action (JavaScript, Launch, URI, …).
    ActiveContent { object: ObjRef, action: String },
    /// A signed object lives in an object stream defined only after signing.
    LateObjectStream { object: ObjRef, stream: u32 },
    /// An object that signed content referred to was defined only after signing.
    LateDefinition {
        object: ObjRef,
        referenced_by: ObjRef,
    },
    /// The analysis stopped at a bound.
    TooManyObjects { limit: usize },
}

impl ChangeKind {
    /// The change in words, in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        use ChangeKind as K;
        let en = lang == Lang::En;
        let t = |e: String, v: String| if en { e } else { v };
        match self {
            K::SignatureFieldSigned { object, field } => t(
                format!("signature field '{field}' ({object}) was signed"),
                format!("trường chữ ký '{field}' ({object}) đã được ký"),
            ),
            K::SignatureFieldAdded {
                object,
                signed: true,
            } => t(
                format!("signature field {object} was added and signed"),
                format!("trường chữ ký {object} được thêm và ký"),
            ),
            K::SignatureFieldAdded {
                object,
                signed: false,
            } => t(
                format!("empty signature field {object} (or its widget) was added"),
                format!("trường chữ ký trống {object} (hoặc widget của nó) được thêm"),
            ),
            K::FieldFilled { object, field } => t(
                format!("form field '{field}' ({object}) was filled"),
                format!("trường biểu mẫu '{field}' ({object}) đã được điền"),
            ),
            K::FieldLocked { object, field } => t(
                format!("field '{field}' ({object}) was changed but the signature locks it"),
                format!("trường '{field}' ({object}) bị thay đổi dù chữ ký đã khóa nó"),
            ),
            K::FormEntryUpdated { object, key } => t(
                format!("the form's /{key}{} was updated", of(*object)),
                format!("mục /{key} của biểu mẫu{} được cập nhật", of(*object)),
            ),
            K::AnnotationAdded { object, subtype } => t(
                format!("annotation {object} (/{subtype}) was added"),
                format!("chú thích {object} (/{subtype}) được thêm"),
            ),
            K::AnnotationChanged { object } => t(
                format!("annotation {object} was changed"),
                format!("chú thích {object} bị thay đổi"),
            ),
            K::SignatureWidgetOutsideForm { object } => t(
                format!("signature widget {object} was added to a page but not to the form"),
                format!("widget chữ ký {object} được thêm vào trang nhưng không vào biểu mẫu"),
            ),
            K::InfoUpdated { object } => t(
                format!("the document information dictionary {object} was updated"),
                format!("từ điển thông tin tài liệu {object} được cập nhật"),
            ),
            K::XmpMetadataUpdated { object } => t(
                format!("the XMP metadata {object} was updated"),
                format!("siêu dữ liệu XMP {object} được cập nhật"),
            ),
            K::CatalogEntryUpdated { key } => t(
                format!("the catalog's /{key} was updated"),
                format!("mục /{key} của danh mục tài liệu được cập nhật"),
            ),
            K::StructureTreeUpdated { object } => t(
                format!("the structure tree (tagged PDF) object {object} was updated"),
                format!("đối tượng cây cấu trúc (PDF gắn thẻ) {object} được cập nhật"),
            ),
            K::DssAdded { object } => t(
                format!("validation data (DSS) {object} was added"),
                format!("dữ liệu xác thực (DSS) {object} được thêm"),
            ),
            K::DssUpdated { object } => t(
                format!("validation data (DSS) {object} was extended"),
                format!("dữ liệu xác thực (DSS) {object} được bổ sung"),
            ),
            K::CatalogEntryChanged { key } => t(
                format!("the catalog entry /{key} was changed"),
                format!("mục /{key} của danh mục tài liệu bị thay đổi"),
            ),
            K::CatalogReplaced => t(
                "the catalog was replaced".into(),
                "danh mục tài liệu bị thay thế".into(),
            ),
            K::RootSwapped { old, new } => t(
                format!(
                    "the trailer's /Root now points to {new} instead of the signed catalog {old}"
                ),
                format!("/Root của trailer nay trỏ tới {new} thay vì danh mục đã ký {old}"),
            ),
            K::AcroFormEntryChanged { object, key } => t(
                format!("the form's entry /{key}{} was changed", of(*object)),
                format!("mục /{key} của biểu mẫu{} bị thay đổi", of(*object)),
            ),
            K::AcroFormReplaced { object } => t(
                format!("the form dictionary {object} was replaced"),
                format!("từ điển biểu mẫu {object} bị thay thế"),
            ),
            K::ArrayRewritten { object, what } => t(
                format!(
                    "{what}{}: existing entries were removed or replaced",
                    of(*object)
                ),
                format!("{what}{}: các mục đã có bị xóa hoặc thay thế", of(*object)),
            ),
            K::DirectObjectAdded { what } => t(
                format!("{what}: a direct object was added"),
                format!("{what}: một đối tượng trực tiếp được thêm"),
            ),
            K::PageEntryChanged { object, key } => t(
                format!("page {object}: /{key} was changed (page content or resources)"),
                format!("trang {object}: /{key} bị thay đổi (nội dung hoặc tài nguyên trang)"),
            ),
            K::PageReplaced { object } => t(
                format!("page {object} was replaced"),
                format!("trang {object} bị thay thế"),
            ),
            K::ObjectChanged { object, what, keys } => {
                let keys = keys
                    .iter()
                    .map(|k| format!("/{k}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                t(
                    format!("object {object} ({what}) was changed: {keys}"),
                    format!("đối tượng {object} ({what}) bị thay đổi: {keys}"),
                )
            }
            K::StreamChanged { object, what } => t(
                format!("stream {object} ({what}) was changed"),
                format!("luồng {object} ({what}) bị thay đổi"),
            ),
            K::ObjectDeleted { object, what } => t(
                format!("object {object} ({what}) was deleted"),
                format!("đối tượng {object} ({what}) bị xóa"),
            ),
            K::ObjectMissing { number } => t(
                format!(
                    "object {number} of the signed revision is missing from the final cross-reference data"
                ),
                format!(
                    "đối tượng {number} của phiên bản đã ký không còn trong bảng tham chiếu chéo cuối"
                ),
            ),
            K::ObjectUnreadable { object, error } => t(
                format!("object {object} cannot be read: {error}"),
                format!("không đọc được đối tượng {object}: {error}"),
            ),
            K::GenerationReplaced { old, new } => t(
                format!("object {old} was replaced by {new} (new generation)"),
                format!("đối tượng {old} bị thay bằng {new} (thế hệ mới)"),
            ),
            K::SharedAppearanceReplaced {
                field,
                appearance,
                holder,
            } => t(
                format!(
                    "field {field} replaced its appearance {appearance}, which {holder} still uses"
                ),
                format!("trường {field} thay hình hiển thị {appearance} mà {holder} vẫn dùng"),
            ),
            K::NotAMetadataStream { object } => t(
                format!("object {object} given as /Metadata is not a metadata stream"),
                format!("đối tượng {object} khai là /Metadata nhưng không phải luồng siêu dữ liệu"),
            ),
            K::NotASignatureDictionary { object } => t(
                format!("object {object} given as a signature value is not a signature dictionary"),
                format!(
                    "đối tượng {object} khai là giá trị chữ ký nhưng không phải từ điển chữ ký"
                ),
            ),
            K::NotDssContent { object, what } => t(
                format!("object {object} reached from the DSS is {what}, not validation data"),
                format!("đối tượng {object} từ DSS là {what}, không phải dữ liệu xác thực"),
            ),
            K::AppearanceHoldsAnnotation { object } => t(
                format!("object {object} reached from an appearance is a field or annotation"),
                format!("đối tượng {object} trong hình hiển thị là một trường hoặc chú thích"),
            ),
            K::FieldAdded { object } => t(
                format!("form field {object} was added"),
                format!("trường biểu mẫu {object} được thêm"),
            ),
            K::UnexpectedObjectAdded { object, what } => t(
                format!("object {object} ({what}) was added to the form or a page"),
                format!("đối tượng {object} ({what}) được thêm vào biểu mẫu hoặc trang"),
            ),
            K::WidgetUnderForeignField { object, parent } => t(
                format!(
                    "widget {object} was added under field {parent}, which is not a new signature field"
                ),
                format!(
                    "widget {object} được thêm dưới trường {parent}, không phải trường chữ ký mới"
                ),
            ),
            K::SignatureValueReused { object, value } => t(
                format!("signature field {object} reuses the existing signature value {value}"),
                format!("trường chữ ký {object} dùng lại giá trị chữ ký đã có {value}"),
            ),
            K::SignatureValueNotReference { object } => t(
                format!(
                    "signature field {object} has a value that is not a signature dictionary reference"
                ),
                format!(
                    "trường chữ ký {object} có giá trị không phải tham chiếu tới từ điển chữ ký"
                ),
            ),
            K::UnsignedVisibleSignatureField { object } => t(
                format!(
                    "unsigned signature field {object} with a visible appearance was added (it can cover signed content or pose as a signature)"
                ),
                format!(
                    "trường chữ ký chưa ký {object} có hình hiển thị được thêm (có thể che nội dung đã ký hoặc giả làm chữ ký)"
                ),
            ),
            K::ActiveContent { object, action } => t(
                format!(
                    "object {object} added after signing carries an action ({action}): active content"
                ),
                format!(
                    "đối tượng {object} thêm sau khi ký mang hành động ({action}): nội dung chủ động"
                ),
            ),
            K::LateObjectStream { object, stream } => t(
                format!(
                    "object {object} of the signed revision is recorded in object stream {stream}, which was defined only after signing"
                ),
                format!(
                    "đối tượng {object} của phiên bản đã ký nằm trong luồng đối tượng {stream}, chỉ được định nghĩa sau khi ký"
                ),
            ),
            K::LateDefinition {
                object,
                referenced_by,
            } => t(
                format!(
                    "object {object}, referenced by signed object {referenced_by} but undefined when it was signed, is defined after signing (shadow attack)"
                ),
                format!(
                    "đối tượng {object}, được đối tượng đã ký {referenced_by} tham chiếu nhưng chưa có khi ký, được định nghĩa sau khi ký (tấn công shadow)"
                ),
            ),
            K::TooManyObjects { limit } => t(
                format!("more than {limit} objects to analyse"),
                format!("hơn {limit} đối tượng cần phân tích"),
            ),
        }
    }
}

fn of(object: Option<ObjRef>) -> String {
    object.map(|o| format!(" ({o})")).unwrap_or_default()
}
