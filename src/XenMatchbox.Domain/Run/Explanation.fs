namespace XenMatchbox.Domain

type Explanation = { Code: string; Cause: string; Fix: string }
