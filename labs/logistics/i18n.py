"""Chinese texts of the logistics lab's figures and messages (page texts live in page.py)."""

from workbench.app.i18n import add_translations

TEXTS = {
    "customer {id}: {demand} parcels, window {ready}–{due}":
        "客户 {id}：{demand} 件，时间窗 {ready}–{due}",
    "Customers": "客户",
    "Depot": "配送中心",
    "Route map": "路线图",
    "Travel": "行驶",
    "Wait": "等待",
    "Service": "服务",
    "Time of day": "时刻",
    "Vehicle": "车辆",
    "Vehicle timelines": "车辆时间线",
    "Route duration (min)": "线路总时长（分钟）",
    "Distance (km)": "行驶距离（公里）",
    "Waiting time (min)": "等待时间（分钟）",
    "Vehicles used": "使用车辆数",
    "Load factor": "装载率",
    "On-time rate": "准时率",
    "Key figures by method": "各方法关键指标",
    "Travel speed by hour of departure": "按出发时刻的行驶速度",
    "Departure hour": "出发时刻（小时）",
    "Median speed (km/h)": "速度中位数（公里/小时）",
    "All days": "全部日期",
    "Mon": "周一", "Tue": "周二", "Wed": "周三", "Thu": "周四", "Fri": "周五",
    "dispatcher": "经验调度员",
    "reference": "优化（PyVRP）",
    "competent_dispatcher": "熟练调度员（时间感知最近邻）",
    "naive_nearest_neighbour": "朴素最近邻",
    "submission": "提交方案",
    "baseline": "基线（经验调度员）",
    "Dispatcher (zones + deadlines)": "调度员（分区 + 截止时间）",
    "Optimised (PyVRP)": "优化方案（PyVRP）",
}

add_translations(TEXTS)
