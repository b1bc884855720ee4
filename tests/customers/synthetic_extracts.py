"""Deterministic synthetic customer extracts in two layouts unlike the public
churn file: a Chinese bank's extract (Chinese headers, 是/否 flags, names,
open and close dates) and a credit-card extract (text attrition flag, tenure
in months, transaction and activity columns). Churn is drawn from a known
logistic model of a few columns."""

from __future__ import annotations

import numpy as np
import pandas as pd

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂")


def _churn(rng: np.random.Generator, eta: np.ndarray) -> np.ndarray:
    return (rng.random(len(eta)) < 1 / (1 + np.exp(-eta))).astype(int)


def chinese_bank_extract(n: int = 4000, seed: int = 11) -> pd.DataFrame:
    """A Chinese retail bank's deposit/AUM extract."""
    rng = np.random.default_rng(seed)
    observed = pd.Timestamp("2024-12-31")
    opened = observed - pd.to_timedelta(rng.integers(200, 12 * 365, n), unit="D")
    products = rng.choice([1, 2, 3, 4, 5], n, p=[0.35, 0.3, 0.2, 0.1, 0.05])
    mobile = rng.random(n) < 0.6
    logins = np.where(mobile, rng.poisson(12, n), rng.poisson(2, n))
    complaints = rng.choice([0, 1, 2, 3], n, p=[0.8, 0.12, 0.06, 0.02])
    zero = rng.random(n) < 0.25
    balance = np.where(zero, 0.0, np.round(rng.lognormal(10.5, 1.2, n), 2))
    wealth = np.round(np.where(rng.random(n) < 0.6, 0.0, rng.lognormal(11.5, 1.0, n)), 2)
    tier = rng.choice(["普通", "金卡", "白金", "钻石"], n, p=[0.6, 0.25, 0.12, 0.03])
    age = rng.integers(20, 75, n)
    eta = (-0.6 - 0.9 * mobile - 0.05 * logins + 0.7 * complaints - 0.45 * (products - 1) + 0.8 * zero
           + 0.02 * (age - 45) - 0.3 * (tier != "普通"))
    churned = _churn(rng, eta)
    closed = opened + pd.to_timedelta((rng.random(n) * (observed - opened).days).astype(int), unit="D")
    names = [SURNAMES[i] + GIVEN[j] + GIVEN[k] for i, j, k in zip(rng.integers(0, 20, n), rng.integers(0, 20, n), rng.integers(0, 20, n))]
    return pd.DataFrame({
        "客户编号": [f"62{v:08d}" for v in rng.choice(10**8, n, replace=False)],
        "客户姓名": names,
        "开户日期": opened.strftime("%Y-%m-%d"),
        "销户日期": np.where(churned == 1, closed.strftime("%Y-%m-%d"), ""),
        "是否流失": np.where(churned == 1, "是", "否"),
        "年龄": age,
        "性别": rng.choice(["男", "女"], n),
        "存款余额": balance,
        "理财资产": wealth,
        "持有产品数": products,
        "手机银行活跃": np.where(mobile, "是", "否"),
        "近三个月登录次数": logins,
        "投诉次数": complaints,
        "客户等级": tier,
        "所属分行": rng.choice(["城东支行", "城西支行", "高新支行", "滨江支行", "开发区支行"], n),
        "数据日期": observed.strftime("%Y-%m-%d"),
    })


def card_extract(n: int = 6000, seed: int = 12, constant: bool = False, duplicate: bool = False) -> pd.DataFrame:
    """A credit-card book's extract (~16% attrition); optionally with a
    constant column and an exact copy of a column."""
    rng = np.random.default_rng(seed)
    limit = np.round(rng.lognormal(8.8, 0.8, n), 0)
    revolving = np.where(rng.random(n) < 0.25, 0.0, np.round(np.minimum(limit, rng.uniform(300, 2500, n)), 0))
    trans_ct = rng.integers(10, 140, n)
    trans_amt = np.round(trans_ct * rng.lognormal(3.7, 0.4, n), 0)
    inactive = rng.integers(0, 7, n)
    contacts = rng.integers(0, 7, n)
    relations = rng.integers(1, 7, n)
    ct_change = np.round(rng.lognormal(-0.35, 0.3, n), 3)
    eta = (1.2 - 0.045 * trans_ct + 0.35 * inactive + 0.3 * contacts - 0.3 * relations + 1.2 * (revolving == 0) - 2.0 * ct_change
           + 0.00004 * trans_amt)
    churned = _churn(rng, eta)
    frame = pd.DataFrame({
        "CLIENTNUM": rng.choice(np.arange(700_000_000, 800_000_000), n, replace=False),
        "Attrition_Flag": np.where(churned == 1, "Attrited Customer", "Existing Customer"),
        "Customer_Age": rng.integers(26, 70, n),
        "Gender": rng.choice(["M", "F"], n),
        "Dependent_count": rng.integers(0, 6, n),
        "Education_Level": rng.choice(["Graduate", "High School", "Unknown", "Uneducated", "College", "Post-Graduate", "Doctorate"], n),
        "Income_Category": rng.choice(["Less than $40K", "$40K - $60K", "$60K - $80K", "$80K - $120K", "$120K +", "Unknown"], n),
        "Card_Category": rng.choice(["Blue", "Silver", "Gold", "Platinum"], n, p=[0.93, 0.05, 0.018, 0.002]),
        "Months_on_book": rng.integers(13, 57, n),
        "Total_Relationship_Count": relations,
        "Months_Inactive_12_mon": inactive,
        "Contacts_Count_12_mon": contacts,
        "Credit_Limit": limit,
        "Total_Revolving_Bal": revolving,
        "Total_Trans_Amt": trans_amt,
        "Total_Trans_Ct": trans_ct,
        "Total_Ct_Chng_Q4_Q1": ct_change,
        "Avg_Utilization_Ratio": np.round(revolving / limit, 3),
    })
    if constant:
        frame["Country"] = "CN"
        frame["Bank_Code"] = 1
    if duplicate:
        frame["Total_Trans_Ct_copy"] = frame["Total_Trans_Ct"]
    return frame
