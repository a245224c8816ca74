//! The one table of public error codes (错误码).
//!
//! Every error that leaves the platform carries a stable `code`, an HTTP status and a message in
//! Chinese and English. Layers above map their typed errors onto an [`ErrorCode`]; the web layer
//! only reads this table. Codes are part of the public API: never rename one.

/// A stable public error code with its HTTP status and default bilingual message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ErrorCode {
    /// The stable machine-readable code, e.g. `INVALID_CREDENTIALS`.
    pub code: &'static str,
    /// The HTTP status the web layer answers with.
    pub status: u16,
    /// Default message in Chinese (zh-CN).
    pub zh: &'static str,
    /// Default message in English.
    pub en: &'static str,
}

macro_rules! error_codes {
    ($($name:ident = $status:literal, $zh:literal, $en:literal;)*) => {
        impl ErrorCode {
            $(
                #[doc = $en]
                pub const $name: ErrorCode = ErrorCode {
                    code: stringify!($name),
                    status: $status,
                    zh: $zh,
                    en: $en,
                };
            )*
            /// Every public error code, for documentation and tests.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$name),*];
        }
    };
}

error_codes! {
    BAD_REQUEST = 400, "请求格式不正确", "The request is malformed";
    INVALID_JSON = 400, "请求体不是有效的 JSON", "The request body is not valid JSON";
    INVALID_FIELD = 422, "请求字段的类型或取值不正确", "A field of the request has the wrong type or value";
    INVALID_QUERY = 400, "查询参数不正确", "A query parameter is missing or invalid";
    VALIDATION_FAILED = 422, "提交的数据未通过校验", "The submitted data failed validation";
    PAYLOAD_TOO_LARGE = 413, "请求体超过大小限制", "The request body exceeds the size limit";
    UNSUPPORTED_MEDIA_TYPE = 415, "不支持的内容类型，请使用 application/json", "Unsupported content type; use application/json";
    ROUTE_NOT_FOUND = 404, "请求的地址不存在", "No such route";
    NOT_FOUND = 404, "请求的对象不存在", "The requested object does not exist";
    METHOD_NOT_ALLOWED = 405, "该地址不支持此请求方法", "This method is not allowed on this route";
    UNAUTHENTICATED = 401, "请先登录", "Sign-in required";
    SESSION_EXPIRED = 401, "会话已过期，请重新登录", "The session has expired; sign in again";
    INVALID_CREDENTIALS = 401, "用户名或密码错误", "Wrong username or password";
    TOTP_REQUIRED = 401, "请输入动态验证码", "A one-time code (TOTP) is required";
    TOTP_INVALID = 401, "动态验证码错误或已过期", "The one-time code is wrong or expired";
    ACCOUNT_LOCKED = 423, "账号已锁定，请稍后再试或联系安全管理员", "The account is locked; try later or ask the security administrator";
    ACCOUNT_DISABLED = 403, "账号已停用，请联系安全管理员", "The account is disabled; ask the security administrator";
    FORBIDDEN = 403, "您没有执行此操作的权限", "You are not allowed to do this";
    CSRF_INVALID = 403, "页面已失效，请刷新后重试", "The form has expired; reload the page and try again";
    CONFLICT = 409, "数据已被修改或已存在", "The data was changed meanwhile or already exists";
    USERNAME_TAKEN = 409, "用户名已被使用", "The username is already taken";
    SEPARATION_OF_DUTIES = 409, "系统管理员、安全管理员和审计管理员不能由同一账号兼任", "System, security and audit administration cannot be held by one account";
    PASSWORD_POLICY = 422, "密码不符合安全策略", "The password does not meet the policy";
    TOTP_NOT_ENROLLED = 409, "尚未开始绑定动态验证码", "TOTP enrolment has not been started";
    RATE_LIMITED = 429, "请求过于频繁，请稍后再试", "Too many requests; try again later";
    CALENDAR_YEAR_MISSING = 422, "缺少该年度的工作日历，请管理员先导入", "No working-day calendar for that year; an administrator must load it";
    CALENDAR_INVALID = 422, "工作日历数据不正确", "The working-day calendar data is invalid";
    VALIDATION_KIND_UNKNOWN = 404, "不支持的校验类型", "Unknown validation kind";
    ITEM_NOT_FOUND = 404, "事项不存在或尚未生效", "No such item in force";
    ITEM_EXISTS = 409, "该事项编码已存在", "An item with that code already exists";
    ITEM_INVALID = 422, "事项内容不符合要求", "The item standard is invalid";
    KEY_ELEMENT_LOCKED = 422, "关键要素由市级统一制定，区（市）只能填写本地要素", "Key elements are set citywide; a district may only fill local elements";
    ITEM_NOT_DISTRICT_LEVEL = 422, "该事项不在区（市）实施", "This item is not implemented at district level";
    ITEM_ALREADY_CLAIMED = 409, "本区（市）已认领该事项", "The district has already claimed this item";
    IMPLEMENTATION_NOT_FOUND = 404, "本区（市）尚未认领该事项", "The district has not claimed this item";
    STALE_REVISION = 409, "数据已被他人修改，请刷新后重试", "Someone else changed this meanwhile; reload and try again";
    PROPOSAL_NOT_FOUND = 404, "变更申请不存在", "No such proposal";
    PROPOSAL_INVALID = 422, "变更申请内容不符合要求", "The proposal is invalid";
    PROPOSAL_WRONG_STATUS = 409, "变更申请当前状态不允许此操作", "The proposal's status does not allow this";
    PROPOSAL_NOT_A_REVIEWER = 403, "您不是该变更申请的审核方", "You are not a reviewer of this proposal";
    PROPOSAL_ALREADY_REVIEWED = 409, "您已审核过该变更申请", "You have already reviewed this proposal";
    PROPOSAL_REASON_REQUIRED = 422, "强制通过须填写理由", "An override needs a reason";
    PROPOSAL_EFFECTIVE_IN_PAST = 422, "生效日期不能早于今天", "The effective date lies in the past";
    MATERIAL_EMPTY = 422, "上传的文件是空的", "The uploaded file is empty";
    MATERIAL_TYPE_UNSUPPORTED = 415, "只接受 PDF、JPG、PNG 或 OFD 文件（按文件内容判断）", "Only PDF, JPEG, PNG or OFD files are accepted (judged by content)";
    CASE_NOT_FOUND = 404, "办件不存在，或编号与姓名/手机号不符", "No such case, or the number does not match the name or phone";
    CASE_WRONG_STATUS = 409, "办件当前状态不允许此操作", "The case's status does not allow this";
    MATERIALS_MISSING = 422, "缺少必交材料", "Required materials are missing";
    TASK_NOT_FOUND = 404, "待办任务不存在或不属于您", "No such task, or it is not yours";
    TASK_CLAIMED = 409, "该任务已由其他人认领", "Someone else has claimed this task";
    TASK_CLOSED = 409, "该任务已办理", "The task is already completed";
    OUTCOME_NOT_ALLOWED = 422, "该环节不允许此办理结果", "This step does not allow that outcome";
    RETURN_TARGET_INVALID = 422, "不能退回到该环节", "The case cannot be returned to that step";
    TASK_DELEGATED = 409, "委派的任务须由委派人办理，请先办理完毕交回", "A delegated task is completed by its owner; resolve it to hand it back";
    COSIGN_PENDING = 409, "加签人尚未签署意见", "A co-signer has not given an opinion yet";
    TAKE_BACK_NOT_POSSIBLE = 409, "下一环节已签收或已办理，不能取回", "The next step is already claimed or done; the task cannot be taken back";
    ASSIGNEE_INVALID = 422, "该人员不能办理此任务", "That person cannot handle this task";
    BATCH_NOT_ALLOWED = 422, "该办理结果不允许批量办理", "That outcome cannot be given to a batch";
    DRAFT_NOT_FOUND = 404, "草稿不存在", "Draft not found";
    NOTICE_NOT_FOUND = 404, "文书不存在", "Notice not found";
    NOTICE_UNRENDERABLE = 422, "文书中有无法印制的字符，请修改后重试", "The notice contains characters no font can print; change the text and try again";
    NOTICE_SEAL_INVALID = 422, "文书签章无效：未签章、签章密钥未知或内容已被篡改", "The notice's seal is invalid: not sealed, unknown key, or the content was changed";
    MESSAGE_NOT_CORRELATED = 409, "办件当前没有等待该消息的环节", "Nothing in the case waits for that message now";
    SERVICE_CALL_NOT_FOUND = 404, "办件没有等待答复的该服务调用", "The case has no pending service call with that id";
    BUNDLE_NOT_FOUND = 404, "联办事项不存在", "No such bundle";
    BUNDLE_INVALID = 422, "联办配置有误，未保存", "The bundle configuration has problems; nothing was saved";
    BUNDLE_CASE_NOT_FOUND = 404, "联办件不存在", "No such bundle case";
    BUNDLE_NOTHING_SELECTED = 422, "按所选情形，没有需要办理的事项", "The answers select no item";
    PARTNER_NOT_FOUND = 404, "合作单位不存在", "No such partner";
    PARTNER_EXISTS = 409, "合作单位标识已被使用", "That partner key is taken";
    PARTNER_SIGNATURE_INVALID = 401, "请求签名无效或应用标识未知", "The request signature is invalid or the app key is unknown";
    PARTNER_REQUEST_EXPIRED = 401, "请求时间戳超出允许范围（5 分钟）", "The request timestamp is outside the allowed window (5 minutes)";
    PARTNER_NONCE_REUSED = 409, "请求随机数已使用过（疑似重放）", "The request nonce was used before (a replay)";
    PARTNER_NOT_HANDLER = 403, "该子办件不由贵单位办理", "Your organisation does not handle that sub-case";
    PROCESS_INVALID = 422, "流程文件不符合要求", "The process file is not valid or uses unsupported elements";
    FORM_INVALID = 422, "表单填写有误，请按各字段的提示修改", "The form has errors; see the message of each field";
    FORM_NOT_DEFINED = 404, "该事项没有在线业务表单", "The item has no business form";
    RULE_INVALID = 422, "规则文件不符合要求", "The rule document is not valid or uses unsupported nodes";
    RULE_TESTS_FAILED = 422, "规则的测试用例未通过，未保存", "The rule's test cases failed; nothing was saved";
    RULE_NOT_FOUND = 404, "规则不存在", "No such rule";
    RULE_EVALUATION_FAILED = 422, "规则计算失败（请检查输入数据）", "The rule could not be evaluated on this input";
    REAL_NAME_MISMATCH = 422, "实名核验未通过：身份证号与姓名不一致，或人口信息状态异常", "Real-name check failed: the ID number and name do not match the population registry";
    DATA_RECORD_NOT_FOUND = 404, "共享数据中没有该记录", "The shared-data registry has no such record";
    DATA_PURPOSE_REQUIRED = 403, "没有授权用途（本人在办件或经办任务），不能调取共享数据", "No authorised purpose (an open case of yours or a task of yours on it): shared data is not fetched";
    DATA_SOURCE_UNAVAILABLE = 503, "共享数据源暂不可用，请稍后再试", "The shared-data source is unavailable; try again later";
    CERT_NOT_FOUND = 404, "电子证照不存在", "No such electronic certificate";
    CERT_TOKEN_INVALID = 422, "亮证码无效", "The certificate token is not valid";
    CERT_STATUS_CHANGE_REFUSED = 409, "证照当前状态不能变更为所选状态", "The certificate cannot move from its current status to the one chosen";
    CERT_REASON_REQUIRED = 422, "变更证照状态须说明理由", "A status change needs a stated reason";
    CERT_PURPOSE_REQUIRED = 422, "查验证照全部信息须说明用途", "Say why you need the full certificate (the purpose is recorded)";
    CERT_NOT_GRANTED = 409, "办件未准予许可，不能发证", "The case is not granted; no certificate can be issued";
    CERT_KEYS_UNAVAILABLE = 503, "证照签名密钥不可用（请检查主密钥配置）", "The certificate signing key is unavailable (check the master key configuration)";
    ENTERPRISE_NOT_AUTHORISED = 403, "您未获该企业授权办理（须由法定代表人通过电子营业执照授权为办事人）", "You are not authorised to act for this enterprise (its legal representative authorises agents through the e-business licence)";
    ENTERPRISE_GRANT_REFUSED = 422, "授权未成功：被授权人须为已实名注册的个人账号，角色须为办事人或证照管理员", "The grant was refused: the grantee must be a registered person's account and the role agent or cert_manager";
    IMPORT_INVALID = 422, "导入文件有误，未导入任何内容", "The import file has errors; nothing was imported";
    INTERNAL = 500, "服务器内部错误，请稍后再试", "Internal server error; try again later";
    UNAVAILABLE = 503, "服务暂不可用", "Service unavailable";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_upper_snake_case() {
        let mut seen = std::collections::BTreeSet::new();
        for c in ErrorCode::ALL {
            assert!(seen.insert(c.code), "duplicate code {}", c.code);
            assert!(
                c.code
                    .chars()
                    .all(|ch| ch.is_ascii_uppercase() || ch == '_')
            );
            assert!((400..600).contains(&c.status));
            assert!(!c.zh.is_empty() && !c.en.is_empty());
        }
    }
}
