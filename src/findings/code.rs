//! The finding codes: one table, from which the enum [`Code`], its list
//! [`Code::ALL`], each code's severity and its documentation in both
//! languages are generated (and, through `provider_templates`, the page
//! `docs/finding-codes.md`). A code cannot be emitted without being in this
//! table, and a code's severity is decided here only.
//!
//! Codes are stable: never renamed, only added.

use super::{Lang, Severity};

/// One code's documentation (the generated docs page, `check`'s JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    /// The stable id (`value.not_a_date`).
    pub id: &'static str,
    pub severity: Severity,
    pub meaning_en: &'static str,
    pub meaning_zh: &'static str,
    /// The usual fix (a finding's own hint is more specific).
    pub fix_en: &'static str,
    pub fix_zh: &'static str,
}

macro_rules! codes {
    ($(
        $name:ident = $id:literal, $sev:ident,
            $meaning_en:literal, $meaning_zh:literal,
            $fix_en:literal, $fix_zh:literal;
    )*) => {
        /// A stable finding code (`value.not_a_date` …) with its severity and
        /// documentation ([`Code::info`]). Serialised as its id.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(
                #[doc = concat!("`", $id, "` (", stringify!($sev), "): ", $meaning_en)]
                $name,
            )*
        }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[$(Code::$name),*];

            /// The code's documentation.
            pub const fn info(self) -> &'static CodeInfo {
                match self {
                    $(Code::$name => &CodeInfo {
                        id: $id,
                        severity: Severity::$sev,
                        meaning_en: $meaning_en,
                        meaning_zh: $meaning_zh,
                        fix_en: $fix_en,
                        fix_zh: $fix_zh,
                    },)*
                }
            }
        }
    };
}

codes! {
    IngestUnreadable = "ingest.unreadable", Error,
        "The file is corrupt, truncated or a reader failed on it; nothing of it was used (or, for one sheet, nothing after the failure).",
        "文件损坏、不完整或读取程序出错；文件中的数据均未使用（若只是某个工作表出错，则该表出错之后的数据未使用）。",
        "Open the file in Excel and save it again as .xlsx, or send it again.",
        "用 Excel 打开文件并另存为 .xlsx，或重新发送。";
    IngestEncrypted = "ingest.encrypted", Error,
        "The workbook is password protected (encrypted).",
        "工作簿设有密码（已加密）。",
        "Remove the password and send it again.",
        "取消密码后重新发送。";
    IngestEmpty = "ingest.empty", Error,
        "The file has 0 bytes.",
        "文件大小为 0 字节。",
        "Send the workbook again.",
        "重新发送工作簿。";
    IngestNotASpreadsheet = "ingest.not_a_spreadsheet", Error,
        "The file is not a workbook (a PDF, text, or another archive renamed .xlsx).",
        "文件不是工作簿（而是改名为 .xlsx 的 PDF、文本或其他压缩包）。",
        "Save the data as .xlsx.",
        "将数据保存为 .xlsx。";
    IngestSymlink = "ingest.symlink", Error,
        "An inbox entry is a symbolic link (or lies behind one): it was not read. Links are followed only with follow_symlinks = true, and then only to files inside the workspace.",
        "收件箱中的条目是符号链接（或位于符号链接之后）：未读取。只有设置 follow_symlinks = true 时才会跟随链接，且只读取工作区内的文件。",
        "Copy the workbook itself into the inbox.",
        "请把工作簿本身复制到收件箱中。";
    IngestTooLarge = "ingest.too_large", Error,
        "A part of the workbook declares an uncompressed size above the limit (zip-bomb protection).",
        "工作簿中某个部件声明的解压后大小超过上限（防止压缩炸弹）。",
        "Split the data, or raise max_uncompressed_mib in svcreport.toml.",
        "拆分数据，或在 svcreport.toml 中调高 max_uncompressed_mib。";
    IngestEncoding = "ingest.encoding", Warning,
        "A text file holds bytes its encoding cannot read; they were read as the replacement character (�).",
        "文本文件中有按其编码无法读取的字节；这些字节被读作替换字符（�）。",
        "Save the file again as UTF-8 (Excel: CSV UTF-8), or name its encoding in the import profile (encoding = \"gb18030\").",
        "请将文件另存为 UTF-8（Excel：CSV UTF-8），或在导入配置中写明其编码（encoding = \"gb18030\"）。";
    IngestEncodingAssumed = "ingest.encoding_assumed", Info,
        "A text file is not UTF-8 and has no byte-order mark: it was read in the encoding its import profile names for that case (ServiceNow: Windows-1252, its default CSV encoding).",
        "文本文件不是 UTF-8，也没有字节顺序标记：已按其导入配置为此情形指定的编码读取（ServiceNow：Windows-1252，其 CSV 导出的默认编码）。",
        "Nothing to do when the text reads right; otherwise name the file's encoding in the import profile (encoding = \"gb18030\"), or export as UTF-8.",
        "文本显示正确则无需处理；否则请在导入配置中写明文件的编码（encoding = \"gb18030\"），或导出为 UTF-8。";
    IngestNoRows = "ingest.no_rows", Warning,
        "No row was read from the file: no sheet of it holds a dataset with rows (a file of 0 rows is never passed as \"ok\" silently).",
        "该文件中没有读取到任何数据行：没有工作表含有带数据行的数据集（读取 0 行的文件不会被默认为\"通过\"）。",
        "Check that the file is the export meant: a dataset's header row with rows below it, or an import profile for the tool's export.",
        "请确认文件是否正确：应有数据集的表头行及其下方的数据行，或为该工单系统的导出文件配置导入配置。";
    SheetUnrecognised = "sheet.unrecognised", Warning,
        "A sheet is neither a dataset (by name or header row) nor an instructions sheet; it was not read.",
        "工作表既不是数据集（按表名或表头均无法识别），也不是说明页；未读取。",
        "Rename it to a dataset name or use the template header; name notes sheets 说明/README.",
        "改用数据集的表名或模板的表头；说明性质的工作表请命名为 说明 或 README。";
    SheetBeyondLimits = "sheet.beyond_limits", Error,
        "A sheet is outside what Excel can hold (cells beyond row 1,048,576 or column XFD, rows out of order, a name over 255 characters); those cells, rows or sheets were not read.",
        "工作表超出了 Excel 的限制（单元格超过第 1,048,576 行或 XFD 列、行的顺序颠倒、名称超过 255 个字符）；这些单元格、行或工作表未读取。",
        "Open the file in Excel and save it again as .xlsx.",
        "用 Excel 打开文件并另存为 .xlsx。";
    SheetHidden = "sheet.hidden", Info,
        "A hidden sheet holds a dataset and was read.",
        "隐藏的工作表中有数据集，已读取。",
        "Unhide it if reviewers should see it.",
        "如需让审核人看到，请取消隐藏。";
    SheetMissingColumn = "sheet.missing_column", Error,
        "A required column is missing; every row of the sheet is rejected.",
        "缺少必填列；该工作表的所有行均被拒绝。",
        "Add the column with its template header (Chinese or English).",
        "按模板表头（中文或英文）补上该列。";
    ColumnUnknown = "column.unknown", Warning,
        "A column is not part of the dataset; it is kept out of the computation.",
        "该列不属于数据集，不参与计算。",
        "Rename it to a template column or leave it.",
        "改为模板中的列名，或保留不动。";
    ColumnDuplicate = "column.duplicate", Warning,
        "Two columns name the same field; the second is ignored.",
        "两列对应同一字段；第二列被忽略。",
        "Delete or rename one of them.",
        "删除其中一列或为其改名。";
    ProfileChosen = "profile.chosen", Info,
        "The file (or sheet) was read through an import profile: its columns and values were mapped to the dataset's.",
        "该文件（或工作表）按导入配置读取：其列和取值已对应到数据集。",
        "Check the mapping with svcreport check --explain-profile FILE.",
        "可用 svcreport check --explain-profile 文件 查看对应关系。";
    ProfileAmbiguous = "profile.ambiguous", Warning,
        "Several import profiles' file patterns match the file; the most specific pattern was used.",
        "多个导入配置的文件匹配模式都匹配该文件；已使用最具体的模式。",
        "Narrow the files patterns of the profiles so that one matches.",
        "请收窄各导入配置的 files 模式，使只有一个匹配。";
    ValueRequired = "value.required", Error,
        "A required cell is empty.",
        "必填单元格为空。",
        "Fill it in.",
        "填写该单元格。";
    ValueNotADate = "value.not_a_date", Error,
        "A date cell holds something that is not a date.",
        "日期单元格中的内容不是日期。",
        "Type 2026-10-01 08:00 or format the cell as a date.",
        "写作 2026-10-01 08:00，或将单元格设为日期格式。";
    ValueNoTime = "value.no_time", Error,
        "A date-time column holds a date without a time of day (typed as text).",
        "日期时间列中只有日期、没有时间（以文本形式填写）。",
        "Add the time, e.g. 2026-10-01 08:00.",
        "补上时间，例如 2026-10-01 08:00。";
    ValueNotANumber = "value.not_a_number", Error,
        "A number cell holds text that is not a number.",
        "数字单元格中的文本不是数字。",
        "Type digits only.",
        "只填数字。";
    ValueNotAnInteger = "value.not_an_integer", Error,
        "A whole-number cell holds a fraction.",
        "整数单元格中是小数。",
        "Type a whole number.",
        "填写整数。";
    ValueOutOfRange = "value.out_of_range", Error,
        "A number is outside its allowed range (negative minutes, score outside 1–5 …).",
        "数值超出允许范围（分钟数为负、评分不在 1–5 之间等）。",
        "Type a value in the range.",
        "填写范围内的数值。";
    ValueNotAPriority = "value.not_a_priority", Error,
        "A priority is not one of P1–P4 in any accepted spelling.",
        "优先级不是 P1–P4 的任何一种可接受写法。",
        "Type P1–P4, 1–4, 紧急/高/中/低 or Critical/High/Medium/Low.",
        "填写 P1–P4、1–4、紧急/高/中/低 或 Critical/High/Medium/Low。";
    ValueNotAChoice = "value.not_a_choice", Error,
        "A value is not one of the column's choices (status, change type, result).",
        "值不在该列的可选值中（状态、变更类型、结果）。",
        "Pick from the template's drop-down.",
        "从模板的下拉列表中选择。";
    ValueNotYesNo = "value.not_yes_no", Error,
        "A yes/no cell holds something else.",
        "是/否单元格中填了其他内容。",
        "Type 是 or 否 (yes or no).",
        "填写 是 或 否。";
    ValueNotAPeriod = "value.not_a_period", Error,
        "A period cell is not a period such as 2026-10.",
        "期间单元格不是 2026-10 这样的期间。",
        "Type the period as text: 2026-10.",
        "以文本填写期间：2026-10。";
    ValueTooLong = "value.too_long", Error,
        "A cell holds more than 32,767 characters (Excel's limit), or an id, name or value more than 255.",
        "单元格超过 32,767 个字符（Excel 的上限），或编号、名称、取值超过 255 个字符。",
        "Shorten the text.",
        "缩短文字。";
    ValueUnprintable = "value.unprintable", Warning,
        "Text that reaches a report (an id, a name, a file or sheet name) has a character no bundled font can print; reports show it as U+XXXX.",
        "会出现在报告中的文字（编号、名称、文件名或工作表名）含有内置字体无法显示的字符；报告中将显示为 U+XXXX。",
        "Replace the character (an emoji or a rare ideograph) with text the fonts have.",
        "请把该字符（表情符号或生僻字）换成字体中有的文字。";
    ValueInvisible = "value.invisible", Warning,
        "An id or name holds a bidirectional control or an invisible character, so it may read differently from what it is; reports show it as U+XXXX.",
        "编号或名称中含有双向控制字符或不可见字符，显示出来可能与实际内容不同；报告中将显示为 U+XXXX。",
        "Delete the character (retype the id or name).",
        "请删除该字符（重新输入编号或名称）。";
    ValueErrorCell = "value.error_cell", Error,
        "The cell holds an Excel error value (#N/A, #REF! …).",
        "单元格是 Excel 错误值（#N/A、#REF! 等）。",
        "Fix the formula or type the value.",
        "修正公式，或直接填写数值。";
    ValueUnmapped = "value.unmapped", Error,
        "A value (a priority level, a state …) is not in the import profile's value map and is not one of ours either.",
        "某个取值（优先级、状态等）既不在导入配置的取值对应表中，也不是系统可识别的取值。",
        "Add the value to the profile's values table ([profiles.NAME.values.FIELD]).",
        "请在导入配置的取值对应表（[profiles.名称.values.字段]）中补上该值。";
    ValueNotInFormat = "value.not_in_format", Error,
        "A date is not written in the date formats the import profile declares (day/month order is never guessed).",
        "日期不符合导入配置声明的日期格式（日、月顺序不会猜测）。",
        "Fix the date, or add its format to the profile's date_formats.",
        "请更正日期，或在导入配置的 date_formats 中加入其格式。";
    RefUnknownCustomer = "ref.unknown_customer", Error,
        "The customer is not in the catalogue (by id, name or English name).",
        "目录中没有该客户（按编号、名称或英文名称均找不到）。",
        "Use a catalogue customer id or name.",
        "使用目录中的客户编号或名称。";
    RefUnknownService = "ref.unknown_service", Error,
        "The service is not in the catalogue (by id, name or English name).",
        "目录中没有该服务（按编号、名称或英文名称均找不到）。",
        "Use a catalogue service id or name.",
        "使用目录中的服务编号或名称。";
    RefUnknownSupplier = "ref.unknown_supplier", Error,
        "The supplier is not in the catalogue.",
        "目录中没有该供应商。",
        "Use a catalogue supplier id or name.",
        "使用目录中的供应商编号或名称。";
    RefUnknownContract = "ref.unknown_contract", Error,
        "The contract is not the id of a UC agreement of the catalogue.",
        "合同不是目录中任何支持合同（UC）的编号。",
        "Use the UC's id.",
        "使用该 UC 的编号。";
    RefServiceNotForCustomer = "ref.service_not_for_customer", Warning,
        "The customer does not take the service according to the catalogue.",
        "按目录，该客户未使用该服务。",
        "Check the row, or add the customer to the service.",
        "核对该行，或在目录中把客户加入该服务。";
    RefNearMatch = "ref.near_match", Info,
        "A customer, service or supplier matched a catalogue name only when spaces are ignored (\"ERP系统\" for \"ERP 系统\"); it was taken.",
        "客户、服务或供应商名称仅在忽略空格后才与目录中的名称一致（如 \"ERP系统\" 与 \"ERP 系统\"）；已按该名称读取。",
        "Write the catalogue's spelling, or add the spelling as an alias in the catalogue.",
        "请按目录中的写法填写，或在目录中把该写法加为别名（aliases）。";
    RefContractSupplierMismatch = "ref.contract_supplier_mismatch", Warning,
        "The UC named is with another supplier.",
        "所填 UC 属于另一家供应商。",
        "Check the supplier and contract.",
        "核对供应商和合同。";
    DeliveryPeriodConflict = "delivery.period_conflict", Warning,
        "The file's folder says one period and its name another; the folder's period is used.",
        "文件所在文件夹与文件名所写的期间不一致；以文件夹的期间为准。",
        "Put the file in the folder of its period, or rename it.",
        "请把文件放到其期间的文件夹中，或改名。";
    DeliveryDeclaredPeriodConflict = "delivery.declared_period_conflict", Warning,
        "The period declared in the workbook's instructions sheet (说明) differs from the one its folder or name gives; the folder's or name's is used.",
        "工作簿说明页中填写的期间与文件夹或文件名的期间不一致；以文件夹或文件名的期间为准。",
        "Correct the period in the 说明 sheet, or move or rename the file.",
        "请更正说明页中的期间，或移动文件、改名。";
    RowTimeOrder = "row.time_order", Error,
        "Times are out of order (responded/resolved before opened, closed before resolved, end before start).",
        "时间先后顺序不对（响应/解决早于报告、关闭早于解决、结束早于开始）。",
        "Correct the times.",
        "更正时间。";
    RowDuplicateId = "row.duplicate_id", Error,
        "A ticket, change or request id appears again (in this or another workbook of the run); the later row is rejected.",
        "工单、变更或请求编号重复出现（在本工作簿或同批次的其他工作簿中）；后出现的行被拒绝。",
        "Delete the repeated row or correct its id.",
        "删除重复的行或更正其编号。";
    RowClosedWithoutResolution = "row.closed_without_resolution", Warning,
        "A ticket's status says resolved or closed but it has no Resolved At; its Closed At stands in for the resolution (a conservative bound, marked in the figure's explanation), or with no Closed At either it stays open.",
        "工单状态为已解决或已关闭，但没有解决时间；以关闭时间代替解决时间（保守的上界，在指标说明中注明）；若也没有关闭时间，则仍按未解决计。",
        "Fill in Resolved At from the ticketing tool.",
        "请从工单系统补填解决时间。";
    RowUpdated = "row.updated", Info,
        "A later delivery of the same dataset holds the record again with other values; the newest delivery wins and the older row is superseded (counted, not rejected).",
        "同一数据集的较新交付再次包含该记录且数值有变化；以最新交付为准，较旧的行被取代（计数，不拒绝）。",
        "Nothing to do: this is how monthly snapshots bring a ticket's later state.",
        "无需处理：月度快照就是这样带来工单的后续状态。";
    RowSupersededInLog = "row.superseded_in_log", Info,
        "An event log (many rows per ticket, read through an import profile): the last row of each ticket is its record and its earlier rows are superseded by it (counted, not rejected), not by a later delivery.",
        "事件日志（每张工单多行，按导入配置读取）：每张工单的最后一行为其记录，较早的行被该行取代（计数，不拒绝），而非被较新交付取代。",
        "Nothing to do: this is how an event log is read.",
        "无需处理：事件日志就是这样读取的。";
    RowRegressed = "row.regressed", Warning,
        "A later delivery goes backwards for a record: resolved → open, or another opened time or priority. The newest delivery still wins.",
        "较新交付中的记录出现倒退：已解决变为未解决，或报告时间、优先级被改动。仍以最新交付为准。",
        "Check which export is right; correct the newer one if it is wrong.",
        "核对哪一次导出正确；若较新的有误，请更正。";
    RowPartitionDuplicate = "row.partition_duplicate", Warning,
        "The same id is in two files of the same dataset and period (partitions such as one file per team); the later file wins.",
        "同一编号出现在同一数据集、同一期间的两个文件中（例如按小组分开的文件）；以较后的文件为准。",
        "Keep each ticket in one file of the period.",
        "同一期间的每张工单只放在一个文件中。";
    RowTotal = "row.total", Warning,
        "A 合计/Total row was found among the data; it is skipped and counted as blank.",
        "数据中有合计/Total 行；已跳过，按空行计。",
        "Leave totals out of data sheets.",
        "数据表中不要放合计行。";
    RowOutsidePeriod = "row.outside_period", Info,
        "Accepted rows that no figure of the checked period uses (counted, never rejected).",
        "已接受、但所检查期间的任何指标都不使用的行（只计数，不拒绝）。",
        "Nothing to do if they belong to another period.",
        "如属于其他期间，则无需处理。";
    CatalogueNameMissing = "catalogue.name_missing", Warning,
        "Something the documents name has no display name in the catalogue: a process, resource, service, customer or person without an entry (its id is printed, and a process has no manager to own improvement items), or without name_en while an English template is in use (the Chinese name is printed in English documents).",
        "文档中要显示的对象在目录中没有显示名称：流程、资源、服务、客户或人员没有条目（文档显示其编号，流程没有负责改进事项的经理），或在使用英文模板时缺少 name_en（英文文档中会显示中文名称）。",
        "Add the entry ([[process]] with name, name_en and owner; [[resource]] with name and name_en), or its name_en.",
        "在目录中补充该条目（[[process]] 写明 name、name_en 和 owner；[[resource]] 写明 name 和 name_en），或补充其 name_en。";
}

impl Code {
    /// The stable id (`value.not_a_date`).
    pub const fn id(self) -> &'static str {
        self.info().id
    }

    pub const fn severity(self) -> Severity {
        self.info().severity
    }

    /// The group a code belongs to (`value` of `value.not_a_date`).
    pub fn group(self) -> &'static str {
        let id = self.id();
        id.split_once('.').map_or(id, |(g, _)| g)
    }

    /// What the code means, in `lang`.
    pub fn meaning(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.info().meaning_en,
            Lang::Zh => self.info().meaning_zh,
        }
    }

    /// The usual fix, in `lang`.
    pub fn fix(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.info().fix_en,
            Lang::Zh => self.info().fix_zh,
        }
    }

    /// The code with this id.
    pub fn from_id(id: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.id() == id)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

impl<'de> serde::Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Code, D::Error> {
        let id = String::deserialize(d)?;
        Code::from_id(&id).ok_or_else(|| serde::de::Error::custom(format!("unknown code {id}")))
    }
}

/// `f.code == "value.not_a_date"` reads as well as comparing with the constant.
impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.id() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_grouped_and_documented_in_both_languages() {
        let mut seen = std::collections::BTreeSet::new();
        let mut groups: Vec<&str> = Vec::new();
        for &c in Code::ALL {
            assert!(seen.insert(c.id()), "duplicate {}", c.id());
            assert_eq!(Code::from_id(c.id()), Some(c));
            let (g, rest) = c.id().split_once('.').expect("group.name");
            assert!(
                !rest.is_empty()
                    && c.id()
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_'),
                "{}",
                c.id()
            );
            // Groups are contiguous in the table (the docs list them in order).
            if groups.last() != Some(&g) {
                assert!(!groups.contains(&g), "group {g} is split");
                groups.push(g);
            }
            for lang in [Lang::En, Lang::Zh] {
                assert!(!c.meaning(lang).is_empty() && !c.fix(lang).is_empty());
            }
            // The Chinese text is Chinese (not a copy of the English).
            assert!(c.meaning(Lang::Zh).chars().any(|ch| ch as u32 >= 0x4E00));
            assert!(c.fix(Lang::Zh).chars().any(|ch| ch as u32 >= 0x4E00));
        }
        assert_eq!(
            groups,
            [
                "ingest",
                "sheet",
                "column",
                "profile",
                "value",
                "ref",
                "delivery",
                "row",
                "catalogue"
            ]
        );
        assert_eq!(Code::from_id("value.bad_priority"), None);
    }

    #[test]
    fn serialises_as_its_id() {
        assert_eq!(
            serde_json::to_string(&Code::ValueNotADate).unwrap(),
            "\"value.not_a_date\""
        );
        assert_eq!(Code::ValueNotADate, "value.not_a_date");
        assert_eq!(Code::RowOutsidePeriod.severity(), Severity::Info);
        assert_eq!(Code::RowTotal.group(), "row");
    }
}
